#!/usr/bin/env python3
"""Answers every image of a saved reader-study session as a simulated reader, for the README's screenshot of the
results page only: the answers are drawn at random (seeded), so the numbers on that page mean nothing.
usage: simulate_reader.py SESSION.json   (rewritten in place)"""
import json
import random
import sys

path = sys.argv[1]
with open(path) as f:
    session = json.load(f)
rng = random.Random(0)
classes = session.get("class_names") or []
for trial in session["trials"]:
    synthetic = trial["source"] == "synthetic"
    right = rng.random() < 0.6  # a reader a little better than chance
    trial["answer"] = {
        "call": "synthetic" if synthetic == right else "real",
        "confidence": rng.randint(1, 5),
        "diagnosis": trial.get("class") if rng.random() < 0.5 else (rng.choice(classes) if classes else None),
        "seconds": round(rng.uniform(2, 9), 1),
    }
session["reader"] = "simulated reader (screenshot only)"
with open(path, "w") as f:
    json.dump(session, f, indent=1)
