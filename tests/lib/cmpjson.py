#!/usr/bin/env python3
"""Checks `nettracer compare --json` output against a scenario's truths.

  cmpjson.py FILE EXPR...

FILE holds the JSON Lines; each EXPR is a Python expression over ab and ba
(the a-to-b and b-to-a summary records), clock (the clock record), ev (the
event records), nat (the NAT records), flows (the flow records) and
kinds(TYPE, DIR) (the events of a type, optionally one direction). Prints
every expression that is false, with the records, and exits 1 if any was."""
import json
import sys

recs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
summ = {r['direction']: r for r in recs if r['type'] == 'summary'}
env = {
    'ab': summ.get('a-to-b', {}),
    'ba': summ.get('b-to-a', {}),
    'clock': next((r for r in recs if r['type'] == 'clock'), {}),
    'ev': [r for r in recs if r['type'] not in ('summary', 'clock', 'nat', 'flow')],
    'nat': [r for r in recs if r['type'] == 'nat'],
    'flows': [r for r in recs if r['type'] == 'flow'],
}
env['kinds'] = lambda t, d=None: [e for e in env['ev'] if e['type'] == t and (d is None or e['direction'] == d)]
bad = [x for x in sys.argv[2:] if not eval(x, {}, env)]
for x in bad:
    print('FALSE: %s' % x)
if bad:
    print('summaries: %s\nclock: %s' % (json.dumps(summ), json.dumps(env['clock'])))
    kinds = {}
    for e in env['ev']:
        kinds[(e['type'], e['direction'])] = kinds.get((e['type'], e['direction']), 0) + 1
    print('events: %s' % kinds)
sys.exit(1 if bad else 0)
