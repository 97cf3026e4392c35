import pytest

from bot.treatments import applies_to, label, load_vocabulary


@pytest.fixture(scope="module")
def vocabulary(settings):
    return load_vocabulary(settings.corpus.treatments_file)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("can i go to the gym after BOTIOX", ["neuromodulator"]),
        ("had botax yesterday", ["neuromodulator"]),
        ("lip flip this morning", ["neuromodulator"]),
        ("dysport and juviderm last week", ["neuromodulator", "filler"]),
        ("my lip filler is lumpy", ["filler"]),
        ("restylane in my tear troughs", ["filler"]),
        ("nose job recovery", ["rhinoplasty"]),
        ("tummy tuck drains", ["abdominoplasty"]),
    ],
)
def test_finds_synonyms_and_misspellings(vocabulary, text, expected):
    assert vocabulary.find(text) == expected


def test_whole_words_only(vocabulary):
    assert vocabulary.find("i am on a detox diet") == []


def test_bbl_is_ambiguous_and_not_mapped(vocabulary):
    assert vocabulary.find("can i fly after my bbl") == []


def test_canonical(vocabulary):
    assert vocabulary.canonical("Juviderm") == "filler"
    assert vocabulary.canonical("filler") == "filler"
    assert vocabulary.canonical("unheard-of") is None
    assert vocabulary.canonical(None) is None


def test_surgery_threads_apply_to_each_operation():
    assert applies_to(("surgery_general",), "abdominoplasty")
    assert not applies_to(("surgery_general",), "filler")
    assert applies_to(("general",), "filler")
    assert label("chemical_peel") == "Chemical peel"


def test_injection_words_imply_injectables():
    from bot.treatments import INJECTABLES, family

    assert family("can I work out after my injections?") == INJECTABLES
    assert family("can I work out after my tummy tuck?") is None
