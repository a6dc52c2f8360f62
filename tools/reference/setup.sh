#!/usr/bin/env bash
# Create tools/reference/.venv and install the pinned reference tooling.
# Usage: bash tools/reference/setup.sh   (from anywhere)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
py="${PYTHON:-python3}"
if [ ! -x "$here/.venv/bin/python" ]; then
  "$py" -m venv "$here/.venv"
fi
"$here/.venv/bin/python" -m pip install --upgrade --quiet pip
"$here/.venv/bin/python" -m pip install --requirement "$here/requirements.txt"
"$here/.venv/bin/python" -m pip install --requirement "$here/requirements-alignment.txt"
"$here/.venv/bin/python" -c "import torch, transformers, tokenizers, safetensors; print('torch', torch.__version__, 'transformers', transformers.__version__, 'tokenizers', tokenizers.__version__, 'safetensors', safetensors.__version__)"
