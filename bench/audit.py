"""Benchmark of the audit stage's evaluator: ``python bench/audit.py``. Prints figures; it
judges nothing.

1. Concrete requests: 5,000 requests against 300 statements (Allow and Deny, wildcards,
   conditions, a policy variable), in requests per second.
2. Needs (check): the same statements and 2,000 prefix needs (containment of patterns), in
   needs per second.
3. Excess: the statements' actions expanded with the catalogue and compared with the needs.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from redshift_iam.audit.decisions import Need  # noqa: E402
from redshift_iam.audit.evaluator import Evaluator  # noqa: E402
from redshift_iam.audit.excess import find_excess  # noqa: E402
from redshift_iam.audit.globs import glob  # noqa: E402

RANDOM = random.Random(20)
ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "kms:Decrypt"]


def statements(count: int) -> list[dict]:
    out = []
    for n in range(count):
        bucket = f"arn:aws:s3:::bucket-{n % 40}"
        statement = {"Effect": "Deny" if n % 25 == 0 else "Allow",
                     "Action": RANDOM.sample(ACTIONS, 2),
                     "Resource": [f"{bucket}/data/{n}/*", f"{bucket}/p{n % 7}?/*"]}
        if n % 10 == 3:
            statement["Condition"] = {"StringLike": {"s3:prefix": [f"data/{n}/*"]}}
        if n % 50 == 7:
            statement["Resource"] = f"{bucket}/home/${{aws:username}}/*"
        out.append(statement)
    return out


def main() -> None:
    evaluator = Evaluator([{"Version": "2012-10-17", "Statement": statements(300)}])
    requests = [(RANDOM.choice(ACTIONS), f"arn:aws:s3:::bucket-{RANDOM.randrange(40)}/data/"
                 f"{RANDOM.randrange(300)}/x", {"s3:prefix": "data/1/", "aws:username": "al"})
                for _ in range(5000)]
    start = time.perf_counter()
    allowed = sum(evaluator.evaluate(*r).allowed for r in requests)
    spent = time.perf_counter() - start
    print(f"requests: {len(requests)} x 300 statements in {spent:.2f} s "
          f"({len(requests) / spent:,.0f}/s; {allowed} allowed)")
    needs = [Need(RANDOM.choice(ACTIONS), glob(f"arn:aws:s3:::bucket-{RANDOM.randrange(40)}/"
                                               f"data/{RANDOM.randrange(300)}/k*"))
             for _ in range(2000)]
    start = time.perf_counter()
    covered = sum(evaluator.decide(n).allowed for n in needs)
    spent = time.perf_counter() - start
    print(f"needs: {len(needs)} x 300 statements in {spent:.2f} s "
          f"({len(needs) / spent:,.0f}/s; {covered} covered)")
    start = time.perf_counter()
    excess = find_excess(evaluator.identity, needs)
    print(f"excess: {len(excess)} groups in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
