"""Reading threads in the corpus format: one thread or a list, with what the input leaves out left open."""

from pathlib import Path

from bot.importers import read_file

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def read(name):
    return read_file(FIXTURES / name, "yaml", vocabulary=None)


def test_list_of_threads_keeps_what_it_states_and_leaves_the_rest_open():
    parsed = read("threads.yml")
    assert parsed.rejected == ()
    complete, partial = parsed.threads
    assert (complete.id, complete.status, complete.treatments, complete.tags) == (
        "botox-flying-import",
        "published",
        ("neuromodulator",),
        ("travel",),
    )
    assert complete.place == "line 2"
    # Nothing stated: the importer settles id, treatments, status, source and demo.
    assert (partial.id, partial.status, partial.treatments, partial.source, partial.demo) == (
        None,
        None,
        (),
        None,
        None,
    )
    assert partial.answers[0].body == "Light walking is fine straight away.\n\nWait 24 hours before hard exercise."
    assert partial.place == "line 12"


def test_single_thread_file():
    (thread,) = read("thread.yml").threads
    assert thread.question == "Can I sleep on my side after a thread lift?"


def test_broken_yaml_names_the_line():
    (problem,) = read("broken.yml").rejected
    assert (problem.place, problem.field) == ("line 4", "(file)") and problem.reason.startswith("not valid YAML")


def test_invalid_threads_are_rejected_with_line_and_field_and_the_rest_kept():
    parsed = read("invalid-threads.yml")
    assert [t.question for t in parsed.threads] == ["Can I fly after Botox?"]
    problems = {(p.place, p.field): p.reason for p in parsed.rejected}
    assert set(problems) == {("line 5", "answers.0.url"), ("line 5", "status"), ("line 11", "(thread)")}
    assert problems[("line 5", "status")] == "Input should be 'published' or 'draft'"
