#!/usr/bin/env python3
"""speedscope_nesting.py TRACE.json... - how speedscope would nest the X slices.

Follows the trace event importer of speedscope (github.com/jlfwong/speedscope,
src/import/trace-event.ts, eventListToProfileGroup): per (pid, tid), every
timestamp minus the thread's first one; X slices sorted by ts, longer first,
each split into a begin at ts and an end at ts + dur (added in doubles, as
JavaScript does); begins and ends taken in time order, at equal times a
begin first when it has the same name as the end (a zero-length slice), an
end first otherwise; an end closes the slice on top of the stack, preferring
among ends at the same time one that matches the top by name and args, and
does nothing when the top has another name.

A slice is mis-nested when the end that closes it is not its own (it is
closed by another slice's end, or never).  Prints one line per file; exit
status 1 if any slice is mis-nested, 2 if a file cannot be read.
"""
import collections
import json
import sys


def key_of(ev):
    name = ev.get('name') or '(unnamed)'
    args = ev.get('args')
    return name, name + (' ' + json.dumps(args, separators=(',', ':')) if args else '')


def misnested(events):
    """(mis-nested slices, X slices, examples) of a list of trace events."""
    by_thread = collections.defaultdict(list)
    for i, ev in enumerate(events):
        if isinstance(ev, dict) and ev.get('ph') == 'X':
            by_thread[(ev.get('pid'), ev.get('tid'))].append((i, ev))
    bad, total, examples = 0, 0, []
    for track, xs in by_thread.items():
        first = min(ev['ts'] for _, ev in xs)
        sl = []
        for i, ev in xs:
            name, key = key_of(ev)
            ts = ev['ts'] - first
            sl.append((i, ts, ev.get('dur', 0), name, key))
        sl.sort(key=lambda s: (s[1], -s[2]))         # stable: file order on ties
        begins = sorted(((s[1], s[0], s[3], s[4]) for s in sl), key=lambda b: b[0])
        ends = sorted(((s[1] + s[2], s[0], s[3], s[4]) for s in sl), key=lambda e: e[0])
        closed_by = {}
        stack = []
        bi = ei = 0
        while bi < len(begins) or ei < len(ends):
            if ei == len(ends) or (bi < len(begins) and (
                    begins[bi][0] < ends[ei][0] or
                    (begins[bi][0] == ends[ei][0] and begins[bi][2] == ends[ei][2]))):
                stack.append(begins[bi])
                bi += 1
                continue
            if stack:
                top = stack[-1]
                for field in (3, 2):                  # by key, then by name
                    j = ei + 1
                    while j < len(ends) and ends[j][0] <= ends[ei][0] and ends[j][field] != top[field]:
                        j += 1
                    if j < len(ends) and ends[j][0] <= ends[ei][0]:
                        ends[ei], ends[j] = ends[j], ends[ei]
                        break
            end = ends[ei]
            ei += 1
            if not stack or stack[-1][2] != end[2]:
                continue                              # "Doing nothing instead"
            closed_by[stack.pop()[1]] = end[1]
        for s in sl:
            total += 1
            if closed_by.get(s[0]) != s[0]:
                bad += 1
                if len(examples) < 3:
                    examples.append('pid %s tid %s: %s at %s+%s' % (track[0], track[1], s[3],
                                                                   s[1] + first, s[2]))
    return bad, total, examples


def main():
    rc = 0
    for path in sys.argv[1:]:
        try:
            with open(path) as f:
                doc = json.load(f)
        except (OSError, ValueError) as ex:
            print('%s: cannot read: %s' % (path, ex))
            rc = 2
            continue
        events = doc.get('traceEvents', []) if isinstance(doc, dict) else doc
        bad, total, examples = misnested(events)
        print('%s: %d of %d X slices mis-nested by speedscope%s' % (
            path, bad, total, ('; e.g. ' + '; '.join(examples)) if examples else ''))
        if bad and rc == 0:
            rc = 1
    return rc


if __name__ == '__main__':
    sys.exit(main())
