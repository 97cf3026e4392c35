from pathlib import Path

import pytest
import yaml

from bot.corpus import CorpusError, load_corpus, parse_thread

# The threads the demo corpus must hold, under these ids (from the project brief).
TOPICS = Path(__file__).resolve().parent / "fixtures" / "corpus-topics.yml"

VALID = """
id: botox-test
question: "Can I exercise after Botox?"
treatments: [neuromodulator]
status: published
answers:
  - author: {name: "Dr. Test Person", credentials: MD, specialty: Dermatologist, location: "Portland, OR"}
    body: "Wait 4 hours before exercise."
    url: "https://demo-clinic.example/clinicians/test"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_valid_thread_parses():
    thread = parse_thread(VALID, "botox-test.yml")
    assert thread.published and thread.answer_id(0) == "botox-test#1"


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (lambda d: d.pop("question"), "question", "Field required"),
        (lambda d: d.update(treatments=["botox"]), "treatments", "unknown treatment botox"),
        (lambda d: d.update(answers=[]), "answers", "at least 1 item"),
        (lambda d: d["answers"][0].pop("author"), "answers.0.author", "Field required"),
        (lambda d: d["answers"][0].update(url="not a link"), "answers.0.url", "URL"),
        (lambda d: d.update(status="live"), "status", "'published' or 'draft'"),
        (lambda d: d.update(id="Bad Id"), "id", "pattern"),
        (lambda d: d.update(colour="blue"), "colour", "Extra inputs are not permitted"),
    ],
)
def test_errors_name_file_field_and_reason(change, field, reason):
    data = yaml.safe_load(VALID)
    change(data)
    with pytest.raises(CorpusError) as err:
        parse_thread(yaml.safe_dump(data), "botox-test.yml")
    problem = "\n".join(err.value.problems)
    assert f"botox-test.yml: {field}:" in problem and reason in problem


def test_broken_yaml_names_the_line():
    with pytest.raises(CorpusError) as err:
        parse_thread("id: x\nquestion: [unclosed\n", "broken.yml")
    assert err.value.problems[0].startswith("broken.yml: line ")


def test_folder_reports_every_problem_and_mismatched_ids(tmp_path):
    write(tmp_path, "botox-test.yml", VALID)
    write(tmp_path, "other-name.yml", VALID)
    write(tmp_path, "empty.yml", "")
    with pytest.raises(CorpusError) as err:
        load_corpus(tmp_path)
    text = str(err.value)
    assert "other-name.yml: id: 'botox-test' does not match the file name" in text
    assert "other-name.yml: id: 'botox-test' is also used by botox-test.yml" in text
    assert "empty.yml: (file): expected a mapping" in text


def test_hash_changes_with_content(tmp_path):
    write(tmp_path, "botox-test.yml", VALID)
    before = load_corpus(tmp_path).content_hash
    write(tmp_path, "botox-test.yml", VALID.replace("4 hours", "24 hours"))
    assert load_corpus(tmp_path).content_hash != before


def test_drafts_are_not_published(tmp_path):
    write(tmp_path, "botox-test.yml", VALID.replace("status: published", "status: draft"))
    assert load_corpus(tmp_path).published == ()


def test_demo_corpus_holds_every_required_thread(corpus):
    topics = yaml.safe_load(TOPICS.read_text(encoding="utf-8"))["threads"]
    for topic in topics:
        thread = corpus.get(topic["id"])
        assert thread is not None, topic["id"]
        assert thread.question == topic["question"]
        assert topic["treatment"] in thread.treatments
        assert 3 <= len(thread.answers) <= 6, topic["id"]
        assert thread.demo and thread.published


def test_demo_corpus_clinicians_are_varied(corpus):
    authors = {a.author.name for t in corpus.threads for a in t.answers}
    specialties = {a.author.specialty for t in corpus.threads for a in t.answers}
    cities = {a.author.location for t in corpus.threads for a in t.answers}
    assert len(authors) >= 10 and len(specialties) >= 8 and len(cities) >= 8
    assert all(str(a.url).startswith("https://demo-clinic.example/") for t in corpus.threads for a in t.answers)


def test_get_finds_threads_by_id_and_the_first_of_two_with_one_id(corpus):
    from bot.corpus import Corpus

    assert all(corpus.get(t.id) is t for t in corpus.threads) and corpus.get("no-such-thread") is None
    first, second = parse_thread(VALID, "a.yml"), parse_thread(VALID.replace("4 hours", "5 hours"), "b.yml")
    assert Corpus(threads=(first, second), content_hash="x").get("botox-test") is first


def test_the_corpus_checks_treatments_against_the_vocabulary_s_list():
    from bot import corpus, treatments

    assert corpus.TREATMENTS is treatments.TREATMENTS == tuple(treatments.LABELS)
