import pytest

from bot.segments import count_segments


@pytest.mark.parametrize(
    "text, encoding, segments",
    [
        ("", "GSM-7", 0),
        ("a" * 160, "GSM-7", 1),
        ("a" * 161, "GSM-7", 2),
        ("a" * 306, "GSM-7", 2),
        ("a" * 307, "GSM-7", 3),
        ("ñ é ü ¿ ¡ Ñ", "GSM-7", 1),  # in the GSM-7 alphabet
        ("á" + "a" * 69, "UCS-2", 1),  # one á makes the whole text UCS-2
        ("á" + "a" * 70, "UCS-2", 2),
        ("ó" * 134, "UCS-2", 2),
        ("ó" * 135, "UCS-2", 3),
        ("€" * 80, "GSM-7", 1),  # extension characters count twice
        ("€" * 81, "GSM-7", 2),
        ("😀" * 35, "UCS-2", 1),  # emoji take two UTF-16 units
        ("😀" * 36, "UCS-2", 2),
    ],
)
def test_segments_and_encoding(text, encoding, segments):
    count = count_segments(text)
    assert (count.encoding, count.segments) == (encoding, segments)
