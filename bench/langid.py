"""Language identification on short family messages: the line's detector against plain langdetect
and lingua restricted to English and Spanish, on a labelled set.

    .venv/bin/python -m bench.langid [--set test|dev] [--errors]

Prints accuracy overall and on messages of three words or fewer. For the line's detector,
"undecided" (a text it finds no language in) counts as wrong. The test set is for reporting only;
tune on the dev set."""

from __future__ import annotations

import argparse
import csv
import time
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).with_name("data")


def load(name: str) -> list[tuple[str, str]]:
    with (DATA / f"langid_{name}.tsv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        return [(row["text"], row["language"]) for row in reader]


def line_detector() -> Callable[[str], str | None]:
    from bot.text.language_detection import guess_language

    return guess_language


def plain_langdetect() -> Callable[[str], str | None]:
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def run(text: str) -> str | None:
        try:
            return detect(text)
        except LangDetectException:
            return None

    return run


def restricted_lingua() -> Callable[[str], str | None]:
    from lingua import Language, LanguageDetectorBuilder

    detector = LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.SPANISH).build()
    codes = {Language.ENGLISH: "en", Language.SPANISH: "es"}
    return lambda text: codes.get(detector.detect_language_of(text))


def score(detect: Callable[[str], str | None], rows: list[tuple[str, str]]):
    short = [(t, lang) for t, lang in rows if len(t.split()) <= 3]
    started = time.perf_counter()
    results = [(t, lang, detect(t)) for t, lang in rows]
    per_message_ms = (time.perf_counter() - started) * 1000 / len(rows)
    right = sum(guess == lang for _, lang, guess in results)
    short_right = sum(guess == lang for t, lang, guess in results if len(t.split()) <= 3)
    errors = [(t, lang, guess) for t, lang, guess in results if guess != lang]
    return right / len(rows), short_right / len(short), per_message_ms, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default="test", choices=["test", "dev"])
    parser.add_argument("--errors", action="store_true", help="list the line detector's misses")
    args = parser.parse_args()
    rows = load(args.set)
    short = sum(len(t.split()) <= 3 for t, _ in rows)
    print(f"set: langid_{args.set}.tsv, {len(rows)} messages, {short} of three words or fewer")
    print(f"{'detector':<32}{'overall':>10}{'<=3 words':>12}{'ms/msg':>10}")
    for name, make in [
        ("line: bot.text.language_detection", line_detector),
        ("langdetect (plain, seeded)", plain_langdetect),
        ("lingua (en/es only)", restricted_lingua),
    ]:
        overall, short_accuracy, ms, errors = score(make(), rows)
        print(f"{name:<32}{overall:>10.1%}{short_accuracy:>12.1%}{ms:>10.2f}")
        if args.errors and name.startswith("line"):
            for text, language, guess in errors:
                print(f"    {language} -> {guess}: {text}")


if __name__ == "__main__":
    main()
