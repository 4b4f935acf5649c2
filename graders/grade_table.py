"""Print the grade table of the gradebook: the columns of ``reports/grades.csv``, one row per student."""
from graders.reports import collect, grade_columns, grade_row


def table_lines(records):
    """The lines of the table: a header of :func:`graders.reports.grade_columns`, then one row per student."""
    rows = [grade_columns()] + [grade_row(record) for record in records]
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    return ["  ".join(value.ljust(width) if column == 0 else value.rjust(width)
                      for column, (value, width) in enumerate(zip(row, widths))).rstrip() for row in rows]


def main():
    print("\n".join(table_lines(collect())))


if __name__ == "__main__":
    main()
