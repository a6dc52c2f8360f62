"""Reads kubetune's TensorBoard event files with TensorBoard's own EventAccumulator.

Checks that every value of the run's metrics.jsonl is a scalar TensorBoard finds at the same step
(under the tags Hugging Face's TensorBoardCallback uses: eval_x -> eval/x, x -> train/x), that
the hyperparameters are a text summary, and writes every scalar TensorBoard read as a fixture that
TensorBoardFixtureTest compares with what the trainer writes.

The run: `./mvnw -o -pl trainer-image -am test -Dtest=TensorBoardFixtureTest
-Dsurefire.failIfNoSpecifiedTests=false` leaves it in trainer-image/target/tensorboard-reference-run.

    .venv/bin/pip install -r requirements-tracking.txt
    .venv/bin/python read_tensorboard_events.py \
        ../../trainer-image/target/tensorboard-reference-run \
        ../../trainer-image/src/test/resources/fixtures/tracking/tensorboard_scalars.json
"""

import json
import struct
import sys
from pathlib import Path

import tensorboard
from tensorboard.backend.event_processing import event_accumulator


def float32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def tag(name):
    return "eval/" + name[len("eval_"):] if name.startswith("eval_") else "train/" + name


def main(run_dir, fixture):
    acc = event_accumulator.EventAccumulator(
        str(run_dir / "tensorboard"),
        size_guidance={event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0},
    )
    acc.Reload()
    found = {
        (t, e.step): e.value for t in acc.Tags()["scalars"] for e in acc.Scalars(t)
    }
    problems = []
    checked = 0
    for line in (run_dir / "metrics.jsonl").read_text().splitlines():
        record = json.loads(line)
        step = record.pop("step")
        for name, value in record.items():
            key = (tag(name), step)
            if key not in found:
                problems.append(f"{key} of metrics.jsonl is not in the event file")
            elif name != "tokens_per_second" and found[key] != float32(value):
                problems.append(f"{key}: event file {found[key]}, metrics.jsonl {value}")
            checked += 1
    texts = {t: acc.Tensors(t) for t in acc.Tags()["tensors"]}
    if "hparams" not in texts:
        problems.append(f"no hparams text summary; tensor tags: {sorted(texts)}")
    if problems:
        sys.exit("\n".join(problems))
    hparams = texts["hparams"][0].tensor_proto.string_val[0].decode()
    scalars = [
        {"tag": t, "step": s, "value": v} for (t, s), v in sorted(found.items())
    ]
    fixture.parent.mkdir(parents=True, exist_ok=True)
    fixture.write_text(
        json.dumps(
            {
                "reader": f"tensorboard {tensorboard.__version__} EventAccumulator",
                "scalars": scalars,
                "hparams": hparams,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"{len(scalars)} scalars in {len({t for t, _ in found})} tags; "
          f"{checked} metrics.jsonl values found; wrote {fixture}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
