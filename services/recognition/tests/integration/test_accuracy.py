"""The accuracy report on the shared test photos, with bounds that fail if recognition regresses."""

from __future__ import annotations

from recognition_svc.accuracy import evaluate, main


def test_accuracy_on_test_photos(faces_dir, encoder) -> None:
    report = evaluate(faces_dir / "people", encoder=encoder, k=1, leave_out=1)
    assert report.enrolled_people >= 4 and report.genuine >= 5 and report.impostor >= 3
    assert report.failed_to_acquire == []
    assert report.rank1 >= 0.95
    assert report.fnir <= 0.1
    assert report.fpir == 0.0


def test_tight_threshold_raises_fnir(faces_dir, encoder) -> None:
    """The measure is live: a threshold far below the same-person distances misses people."""
    report = evaluate(faces_dir / "people", encoder=encoder, k=1, leave_out=1, threshold=0.3)
    assert report.fnir >= 0.5 and report.fpir == 0.0 and report.rank1 >= 0.95


def test_cli_prints_a_table(faces_dir, capsys) -> None:
    main([str(faces_dir / "people"), "--k", "2", "--leave-out", "0"])
    out = capsys.readouterr().out
    assert "| rank-1 accuracy" in out and "| FPIR at threshold" in out
