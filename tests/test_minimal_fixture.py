from conftest import MINIMAL, ProgramDir


def test_minimal_fixture_is_clean():
    """Every rule test starts from this program, so it must have no finding at all."""
    result = ProgramDir(MINIMAL).validate()
    assert result.findings == []
    assert result.files == 16
