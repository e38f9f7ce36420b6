"""The committed gRPC stubs are exactly what `scripts/gen_protos.py` makes from proto/."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_stubs_match_the_protos(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("gen_protos", ROOT / "scripts" / "gen_protos.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    generated = module.generate(tmp_path)
    committed_root = ROOT / "libs" / "proto" / "src"
    assert generated, "no .proto files found"
    stale = [str(p.relative_to(tmp_path)) for p in generated
             if (committed_root / p.relative_to(tmp_path)).read_bytes() != p.read_bytes()]
    assert stale == [], "run: uv run python scripts/gen_protos.py"
