"""Network access, killing other processes, writing to the gradebook and other students' folders."""
EXTRA_CELLS = [(2, '''
import os, signal, socket, subprocess
for attempt in (lambda: socket.create_connection(("127.0.0.1", 22), timeout=1),
                lambda: socket.create_connection(("192.0.2.1", 80), timeout=1),
                lambda: os.kill(1, signal.SIGKILL),
                lambda: os.kill(os.getppid(), signal.SIGKILL),
                lambda: subprocess.run(["sh", "-c", "kill -9 -1"], timeout=5),
                lambda: open("/work/main/gradebook.db", "ab").write(b"x"),
                lambda: open("../../gradebook.db", "ab").write(b"x"),
                lambda: os.makedirs("/work/main/submitted/other_student/regularization", exist_ok=True)):
    try:
        attempt()
    except Exception as error:
        print("blocked:", type(error).__name__)
''')]
SOLUTIONS = {}
