"""Median regret per problem and a Borda count across samplers (rank by median regret; ties share
the points), from hpo-bench and bench/optuna/quality.py result files:

    python bench/borda.py RESULT.json[=sampler:label,...] ...

Without a mapping every sampler of a file is labelled `hpo <sampler>`."""
import json, statistics, sys
entries = {}
def add(path, label_of):
    d = json.load(open(path))
    acc = {}
    for r in d['runs']:
        lab = label_of(r['sampler'])
        if lab is None: continue
        acc.setdefault((r['problem'], lab), []).append(r)
    for k, rs in acc.items():
        entries[k] = (statistics.median(x['regret'] for x in rs),
                      statistics.median(x.get('wall_s', float('nan')) for x in rs), len(rs), rs[0]['n_trials'])
args = sys.argv[1:]
for spec in args:
    path, _, mapping = spec.partition('=')
    m = dict(p.split(':') for p in mapping.split(',')) if mapping else None
    add(path, (lambda s, m=m: m.get(s)) if m else (lambda s: 'hpo ' + s))
problems = sorted({p for p, _ in entries}, key=lambda p: ['branin','hartmann6','rosenbrock10','ackley10','styblinski_tang10','levy10','mixed-hpo'].index(p))
labels = sorted({l for _, l in entries})
borda = {l: 0.0 for l in labels}
print('| problem | ' + ' | '.join(labels) + ' |')
print('|---' * (len(labels) + 1) + '|')
for p in problems:
    present = [l for l in labels if (p, l) in entries]
    k = len(present)
    vals = {l: entries[(p, l)][0] for l in present}
    pts = {}
    for l in present:
        better = sum(1 for o in present if vals[o] < vals[l])
        equal = sum(1 for o in present if vals[o] == vals[l])
        # positions better+1 .. better+equal share the points (k - pos)
        pts[l] = sum(k - pos for pos in range(better + 1, better + equal + 1)) / equal
        borda[l] += pts[l]
    cells = []
    for l in labels:
        if (p, l) in entries:
            cells.append('%.4g (%g)' % (vals[l], pts[l]))
        else:
            cells.append('-')
    print('| %s | %s |' % (p, ' | '.join(cells)))
print('| **Borda total** | ' + ' | '.join('%g' % borda[l] for l in labels) + ' |')
print()
print('median wall s/run:')
print('| problem | ' + ' | '.join(labels) + ' |')
print('|---' * (len(labels) + 1) + '|')
for p in problems:
    print('| %s | %s |' % (p, ' | '.join('%.3g' % entries[(p, l)][1] if (p, l) in entries else '-' for l in labels)))
