import pytest

from bot.text.segments import count_segments


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


def test_a_reply_over_three_segments_is_cut_where_a_sentence_or_line_ends():
    from bot.text.segments import fit_segments

    short = "Días sin clases en Markham: del 21 de dic. al 8 de ene."
    assert fit_segments(short) == short
    lines = "\n".join(f"Sábado {n} de enero, 9 a. m. en Markham, 1650 E 104th St" for n in range(9))
    cut = fit_segments(lines)
    assert count_segments(cut).segments <= 3 and lines.startswith(cut) and not cut.endswith("\n")
    words = "palabra " * 200
    assert fit_segments(words).endswith("...") and count_segments(fit_segments(words)).segments <= 3
