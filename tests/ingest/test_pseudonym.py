import stat

import pytest

from safeschool.ingest.pseudonym import Pseudonymiser, PseudonymKeyError, load_key


def test_same_key_same_pseudonym_other_key_other_pseudonym():
    a = Pseudonymiser(b"k" * 32, namespace="student")
    b = Pseudonymiser(b"k" * 32, namespace="student")
    c = Pseudonymiser(b"x" * 32, namespace="student")
    assert a("IT-S001-C01-001") == b("IT-S001-C01-001")
    assert a("IT-S001-C01-001") != c("IT-S001-C01-001")
    assert a("IT-S001-C01-001") != Pseudonymiser(b"k" * 32, namespace="teacher")("IT-S001-C01-001")
    assert "IT-S001" not in a("IT-S001-C01-001") and len(a("x")) == 20


def test_key_file_is_created_private_and_reused(tmp_path):
    path = tmp_path / "keys" / "pseudonym.key"
    first = load_key(path=path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_key(path=path) == first


def test_missing_key_file_is_an_error_when_not_created(tmp_path):
    with pytest.raises(PseudonymKeyError, match="does not exist"):
        load_key(path=tmp_path / "none.key", create=False)


def test_repr_never_shows_the_key():
    assert "secret" not in repr(Pseudonymiser(b"secret-secret-secret-secret"))
