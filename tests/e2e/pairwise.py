"""All pairs: a small set of cases in which every value of every parameter
meets every value of every other parameter at least once (not all
combinations), for parameters whose combinations may be restricted.
Deterministic: the same parameters give the same cases."""
import itertools


def all_pairs(params, allowed=lambda case: True):
    """params: [(name, [values])]; allowed(case dict) says whether a (possibly
    partial) case may exist. Returns a list of case dicts covering every
    allowed pair of values."""
    names = [n for n, _ in params]
    values = dict(params)

    def ok(case):
        return allowed(case)

    uncovered = set()
    for (a, b) in itertools.combinations(names, 2):
        for va in values[a]:
            for vb in values[b]:
                if ok({a: va, b: vb}):
                    uncovered.add((a, va, b, vb))
    cases = []
    while uncovered:
        # Seed with the first uncovered pair, then fill each other parameter
        # with the value that covers most still uncovered pairs.
        a, va, b, vb = min(uncovered, key=lambda p: (names.index(p[0]), names.index(p[2]), repr(p)))
        case = {a: va, b: vb}
        for n in names:
            if n in case:
                continue
            best, best_gain = None, -1
            for v in values[n]:
                trial = dict(case, **{n: v})
                if not ok(trial):
                    continue
                gain = sum(1 for (x, vx, y, vy) in uncovered
                           if (x == n and trial.get(y, object()) == vy and vx == v)
                           or (y == n and trial.get(x, object()) == vx and vy == v))
                if gain > best_gain:
                    best, best_gain = v, gain
            assert best is not None, "no allowed value of %s for %s" % (n, case)
            case[n] = best
        before = len(uncovered)
        for (x, vx, y, vy) in list(uncovered):
            if case[x] == vx and case[y] == vy:
                uncovered.discard((x, vx, y, vy))
        assert len(uncovered) < before
        cases.append(case)
    return cases
