"""The course's grade spreadsheet through nbgrader's export-plugin API.

``nbgrader export --exporter=graders.export.GradesExport [--to FILE] [--student ID ...]`` writes the spreadsheet
``make reports`` writes as ``reports/grades.csv`` (:func:`graders.reports.write_csv`: one row per student, the
id as text, the total after the late penalty and capped at the maximum, each function's score), read from the
gradebook nbgrader hands the plugin. nbgrader's own ``CsvExportPlugin`` stays the default exporter (one row per
assignment, uncapped). A new spreadsheet format is another ``ExportPlugin`` here, written from the same records
(:func:`graders.reports.collect`).
"""
from nbgrader.plugins import ExportPlugin

from graders.reports import collect, write_csv


class GradesExport(ExportPlugin):
    """The grade spreadsheet of the assignment graded (``GRADER_ASSIGNMENT``), as ``reports/grades.csv``."""

    def export(self, gradebook):
        destination = self.to or "grades.csv"
        students = {str(student) for student in self.student}
        url = gradebook.engine.url.render_as_string(hide_password=False)
        records = [record for record in collect(url=url)
                   if not students or record["student"] in students]
        self.log.info("Exporting the grades of %d students to %s", len(records), destination)
        write_csv(records, destination)
