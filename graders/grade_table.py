"""Print the grade table of the gradebook: one row per student, one column per graded function."""
from graders.notebook import GRADED_FUNCTIONS
from graders.reports import collect


def main():
    records = collect()
    width = max([len("student")] + [len(record["student"]) for record in records])
    short = [name.replace("_propagation", "_prop").replace("_with_", "_") for name in GRADED_FUNCTIONS]
    print(f"{'student':<{width}}  " + "  ".join(short) + "  total")
    for record in records:
        cells = [f"{record['functions'].get(name, {}).get('score', 0):>{len(label)}g}"
                 for name, label in zip(GRADED_FUNCTIONS, short)]
        print(f"{record['student']:<{width}}  " + "  ".join(cells) + f"  {record['total']:g}/{record['max']:g}")


if __name__ == "__main__":
    main()
