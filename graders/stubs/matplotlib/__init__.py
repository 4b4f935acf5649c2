"""Stand-in for matplotlib while grading: plots are not drawn, any use of the API does nothing.

Grading depends only on the four graded functions; importing the real
matplotlib would cost more than running them. Every attribute is a
:class:`Nothing`, which accepts any call, attribute, item or context use.
"""


class Nothing:
    """An object that absorbs every operation and returns itself."""

    def __call__(self, *args, **kwargs):
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self

    def __setitem__(self, key, value):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def __iter__(self):
        return iter(())


NOTHING = Nothing()


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    return NOTHING
