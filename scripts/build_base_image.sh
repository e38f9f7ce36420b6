#!/usr/bin/env bash
# Build the base image services/Dockerfile starts from without any container registry:
# mmdebstrap assembles Debian bookworm (Python 3.11, venv, pip, CA certificates, tzdata) from
# the Debian mirror this machine's apt sources name, and `docker import` turns it into an image.
#
#   scripts/build_base_image.sh [TAG]        # default faceclock/python-base:bookworm
#
# Needs root, docker and mmdebstrap (`apt-get install mmdebstrap`). About two minutes.
set -euo pipefail

tag=${1:-faceclock/python-base:bookworm}
packages=python3,python3-venv,python3-pip,ca-certificates,tzdata,netbase

# The host's own apt sources (deb822 or one-line), so the image uses the mirror the host uses.
sources=$(mktemp --suffix=.sources)
trap 'rm -f "$sources"' EXIT
if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
  cat /etc/apt/sources.list.d/*.sources >"$sources"
else
  mv "$sources" "${sources%.sources}.list"
  sources=${sources%.sources}.list
  grep -h '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null >"$sources"
fi

mmdebstrap --quiet --variant=minbase --include="$packages" \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/locale/*' \
  --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/*' \
  bookworm - "$sources" \
  | docker import \
      --change 'ENV LANG=C.UTF-8 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["/bin/bash"]' \
      - "$tag" >/dev/null
echo "$tag"
