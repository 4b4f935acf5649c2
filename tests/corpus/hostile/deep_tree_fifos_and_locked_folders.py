"""Leaves its working folder the hard way: a tree 600 folders deep whose path is far longer than PATH_MAX,
links out of the folder, FIFOs, odd names and folders locked with mode 000. Correct functions."""
EXTRA_CELLS = [(2, '''
import os
home = os.open(".", os.O_RDONLY)
for _ in range(600):
    os.mkdir("d" * 200)
    os.chdir("d" * 200)
os.symlink("/", "root")
os.mkfifo("fifo")
os.fchdir(home)
os.symlink("/dev/zero", "zero")
os.symlink("/", "root")
os.mkfifo("results.json")
for name in ("new\\nline", "-rf", " ", "..."):
    with open(name, "w") as handle:
        handle.write("x")
os.makedirs("locked/inner")
with open("locked/inner/file", "w") as handle:
    handle.write("x")
os.chmod("locked/inner", 0)
os.chmod("locked", 0)
''')]
SOLUTIONS = {}
