"""Generate the Python gRPC stubs from proto/ into libs/proto (the one command for stubs).

Run: uv run python scripts/gen_protos.py  (tests/test_protos_fresh.py fails if they are stale)
"""

from __future__ import annotations

import sys
from importlib import resources
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_DIR = ROOT / "proto"
OUT_DIR = ROOT / "libs" / "proto" / "src"


def generate(out_dir: Path = OUT_DIR) -> list[Path]:
    """Compile every .proto under proto/ into out_dir; returns the generated files."""
    protos = sorted(PROTO_DIR.rglob("*.proto"))
    well_known = resources.files("grpc_tools") / "_proto"
    args = [
        "grpc_tools.protoc",
        f"-I{PROTO_DIR}",
        f"-I{well_known}",
        f"--python_out={out_dir}",
        f"--pyi_out={out_dir}",
        f"--grpc_python_out={out_dir}",
        *[str(p) for p in protos],
    ]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    generated: list[Path] = []
    for proto in protos:
        package_dir = out_dir / proto.parent.relative_to(PROTO_DIR)
        # Regular packages (not namespace ones) so hatchling and mypy find the stubs.
        for directory in [package_dir, *package_dir.parents]:
            if directory == out_dir or out_dir not in directory.parents:
                break
            (directory / "__init__.py").touch()
        stem = proto.stem
        generated += [package_dir / f"{stem}_pb2.py", package_dir / f"{stem}_pb2.pyi",
                      package_dir / f"{stem}_pb2_grpc.py"]
    return generated


if __name__ == "__main__":
    for path in generate(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT_DIR):
        print(path.relative_to(ROOT) if ROOT in path.parents else path)
