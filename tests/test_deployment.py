"""The GitHub deployment: students never reach grader material, and each student gets only their own feedback."""
import base64
import importlib.util
import json
import os
import re

import pytest
import yaml

from graders.notebook import ROOT
from graders.student_ids import STUDENT_ID

GITHUB = os.path.join(ROOT, ".github")
COURSE_WORKFLOW = os.path.join(GITHUB, "workflows", "autograde.yml")
STUDENT_TEMPLATE = os.path.join(GITHUB, "student-template", "check.yml")
BWRAP_SCRIPT = os.path.join(GITHUB, "scripts", "allow-bwrap-userns.sh")
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@(?:[0-9a-f]{40}|v\d+\.\d+\.\d+)$")


def _workflow(path):
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    workflow = yaml.safe_load(text)
    workflow["on"] = workflow.pop(True, workflow.get("on"))  # YAML 1.1 reads the key `on` as True
    return text, workflow


def _script(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(GITHUB, "scripts", f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _steps(workflow):
    """``[(job id, step index, step)]`` of every step of every job."""
    return [(job_id, index, step) for job_id, job in workflow["jobs"].items()
            for index, step in enumerate(job.get("steps", []))]


def _runs_student_code(job):
    return any(re.search(r"\bmake\b.*\bautograde\b", step.get("run", "")) for step in job.get("steps", []))


@pytest.fixture(scope="module")
def course():
    return _workflow(COURSE_WORKFLOW)


@pytest.fixture(scope="module")
def template():
    return _workflow(STUDENT_TEMPLATE)


def test_students_cannot_start_the_course_workflow(course):
    _, workflow = course
    assert set(workflow["on"]) == {"workflow_dispatch", "schedule"}
    assert "push" not in workflow["on"] and "pull_request_target" not in workflow["on"]


def test_permissions_are_read_only(course, template):
    for _, workflow in (course, template):
        assert workflow["permissions"] == {"contents": "read"}
        for job in workflow["jobs"].values():
            permissions = job.get("permissions", {})
            assert permissions not in ("write-all", "read-all")
            assert all(level in ("read", "none") for level in permissions.values()), permissions


@pytest.mark.parametrize("path", [COURSE_WORKFLOW, STUDENT_TEMPLATE], ids=["course", "student"])
def test_every_action_is_pinned(path):
    text, workflow = _workflow(path)
    uses = [step["uses"] for _, _, step in _steps(workflow) if "uses" in step]
    assert uses and all(PINNED.match(action) for action in uses), uses
    for line in text.splitlines():  # a commit SHA carries the version it stands for
        if re.search(r"uses: \S+@[0-9a-f]{40}", line):
            assert re.search(r"# v\d+\.\d+\.\d+$", line), line


def test_bubblewrap_is_made_to_work_before_any_grading(course):
    _, workflow = course
    grading_jobs = {job_id: job for job_id, job in workflow["jobs"].items() if _runs_student_code(job)}
    assert set(grading_jobs) == {"grade", "feedback"}
    for job in grading_jobs.values():
        runs = [step.get("run", "") for step in job["steps"]]
        sandbox = [index for index, run in enumerate(runs) if "allow-bwrap-userns.sh" in run]
        grading = [index for index, run in enumerate(runs) if re.search(r"\bmake\b.*\bautograde\b", run)]
        assert sandbox and grading and max(sandbox) < min(grading)
    with open(BWRAP_SCRIPT, encoding="utf-8") as handle:
        script = handle.read()
    assert "apparmor_restrict_unprivileged_userns" in script and "apparmor_parser --replace" in script
    assert re.search(r"profile \S+ /usr/bin/bwrap flags=\(unconfined\) \{\s*userns,\s*\}", script)
    assert re.search(r"^bwrap .*--unshare-user .*--unshare-net .* true$", script, re.MULTILINE)


def test_feedback_leaves_the_run_one_student_at_a_time(course):
    _, workflow = course
    uploads = [(job_id, step) for job_id, _, step in _steps(workflow)
               if step.get("uses", "").startswith("actions/upload-artifact@")]
    feedback_uploads = []
    for job_id, step in uploads:
        paths = [path.strip() for path in str(step["with"]["path"]).splitlines() if path.strip()]
        for path in paths:
            assert path.rstrip("/*") not in ("feedback", ".", ""), (job_id, path)
            if path.startswith("feedback"):
                feedback_uploads.append((job_id, step, path))
    assert feedback_uploads
    for job_id, step, path in feedback_uploads:
        assert path == "feedback/${{ matrix.student }}/"
        assert step["with"]["name"] == "feedback-${{ matrix.student }}"
        assert workflow["jobs"][job_id]["strategy"]["matrix"]["student"].startswith("${{ fromJSON(")
    # the class-wide job publishes reports only; the delivery job downloads one student's artifact
    assert all(step["with"]["path"] == "reports/" for job_id, step in uploads if job_id == "grade")
    deliver = workflow["jobs"]["deliver"]
    downloads = [step for step in deliver["steps"] if step.get("uses", "").startswith("actions/download-artifact@")]
    assert [step["with"]["name"] for step in downloads] == ["feedback-${{ matrix.student }}"]


def test_a_feedback_job_holds_one_submission_before_running_any(course):
    _, workflow = course
    runs = [step.get("run", "") for step in workflow["jobs"]["feedback"]["steps"]]
    keep = next(index for index, run in enumerate(runs) if '! -name "$STUDENT"' in run)
    grading = next(index for index, run in enumerate(runs) if "autograde" in run)
    assert keep < grading
    assert workflow["jobs"]["feedback"]["env"]["STUDENT"] == "${{ matrix.student }}"


def test_no_secret_where_student_code_runs(course):
    text, workflow = course
    for job_id, job in workflow["jobs"].items():
        uses_secrets = "secrets." in json.dumps(job)
        if _runs_student_code(job):
            assert not uses_secrets, job_id
            for step in job["steps"]:
                if step.get("uses", "").startswith("actions/checkout@"):
                    assert step["with"]["persist-credentials"] is False
    assert "secrets.FEEDBACK_TOKEN" in json.dumps(workflow["jobs"]["deliver"])
    assert "secrets.CLASSROOM_READ_TOKEN" in json.dumps(workflow["jobs"]["collect"])
    assert text.count("secrets.") == 2
    assert workflow["jobs"]["deliver"]["environment"] == "feedback-delivery"
    assert text.count("secrets.FEEDBACK_TOKEN") == 1
    # shell commands read the student id from the environment, never from an expression pasted into them
    for _, _, step in _steps(workflow):
        assert "${{ matrix" not in step.get("run", "")


def test_the_student_template_uses_nothing_of_the_grader(template):
    text, workflow = template
    assert not re.search(r"\b(graders|source|submitted|autograded|feedback|intake)/(?!\*\*)", text)
    assert "graders." not in text and "gradebook" not in text and "expected/" not in text
    assert set(workflow["on"]) <= {"push", "pull_request", "workflow_dispatch"}
    step_text = json.dumps(workflow["jobs"])
    assert "Regularization.ipynb" in step_text and "secrets." not in step_text


def test_the_student_template_installs_the_course_versions(template):
    text, _ = template
    with open(os.path.join(ROOT, "requirements.txt"), encoding="utf-8") as handle:
        pinned = dict(line.strip().split("==") for line in handle if "==" in line and not line.startswith("#"))
    installed = re.findall(r"\b([A-Za-z][\w.-]*)==([\w.]+)", text)
    assert installed and all(pinned[name] == version for name, version in installed)


# collect.py and deliver.py


def test_scripts_check_student_ids_by_the_course_rule():
    assert _script("collect").STUDENT_ID.pattern == STUDENT_ID.pattern
    assert _script("deliver").STUDENT_ID.pattern == STUDENT_ID.pattern


def test_roster_lists_the_submissions_and_leaves_out_bad_ids(tmp_path, capsys):
    collect = _script("collect")
    for name in ("ada", "bob.smith", "alic?", "-dash"):
        (tmp_path / name / "regularization").mkdir(parents=True)
    (tmp_path / "stray.ipynb").write_text("{}")
    assert collect.roster(str(tmp_path)) == ["ada", "bob.smith"]
    assert sorted(os.listdir(tmp_path)) == ["ada", "bob.smith"]
    warnings = capsys.readouterr().out.splitlines()
    assert len(warnings) == 3 and all(line.startswith("::warning::") for line in warnings)


def test_classroom_collects_the_assignments_repositories_only(tmp_path):
    collect = _script("collect")
    pages = {1: [{"name": f"regularization-student{i}"} for i in range(100)],
             2: [{"name": "regularization-ada"}, {"name": "other-assignment-bob"}, {"name": "regularization-"},
                 {"name": "course-private"}]}
    requested = []

    def get(path):
        requested.append(path)
        page = re.search(r"/orgs/classroom/repos\?.*page=(\d+)$", path)
        if page:
            return json.dumps(pages.get(int(page.group(1)), [])).encode()
        if path == "/repos/classroom/regularization-student7/contents/regularization/Regularization.ipynb":
            return None  # this student removed the notebook
        return b'{"cells": []}'

    collected = collect.collect_classroom("classroom", "regularization", str(tmp_path), get)
    assert collected == sorted(["ada"] + [f"student{i}" for i in range(100) if i != 7])
    assert not any("course-private" in path or "other-assignment" in path for path in requested)
    assert (tmp_path / "ada" / "regularization" / "Regularization.ipynb").read_bytes() == b'{"cells": []}'
    assert not (tmp_path / "student7").exists()


def test_deliver_writes_to_that_students_repository_only(tmp_path):
    deliver = _script("deliver")
    page = tmp_path / "Regularization.html"
    page.write_bytes(b"<html>ada's page</html>")
    calls = []

    def call(method, path, token, body=None):
        calls.append((method, path, body))
        return (200, {"sha": "abc", "content": "b2xk\n"}) if method == "GET" else (200, {})

    assert deliver.deliver("classroom", "regularization", "ada", str(page), "token", call) == \
        "classroom/regularization-ada"
    target = "/repos/classroom/regularization-ada/contents/feedback/regularization/Regularization.html"
    assert [(method, path) for method, path, _ in calls] == [("GET", target), ("PUT", target)]
    assert calls[1][2]["sha"] == "abc" and base64.b64decode(calls[1][2]["content"]) == page.read_bytes()
    for student in ("../course", "ada/../../x", ""):
        with pytest.raises(deliver.DeliveryError):
            deliver.deliver("classroom", "regularization", student, str(page), "token", call)
