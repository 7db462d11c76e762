#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check that specs/sipsteer.yaml describes include/uapi/linux/sipsteer.h
exactly: every enum of the header, value by value, and its defines.

usage: check-spec.py SPEC HEADER; exit status 0 when they match.
"""
import re
import sys

import yaml


def c_name(name):
    return name.upper().replace('-', '_')


def header_enums(text):
    text = re.sub(r'/\*.*?\*/', '', text, flags=re.S)
    enums = {}
    for name, body in re.findall(r'enum\s+(\w+)\s*\{(.*?)\};', text, re.S):
        values, nxt = {}, 0
        for item in filter(None, (i.strip() for i in body.split(','))):
            key, _, val = (s.strip() for s in item.partition('='))
            if val:
                ref, minus, one = val.partition(' - ')
                nxt = values[ref] if ref in values else int(ref, 0)
                if minus:
                    nxt -= int(one, 0)
            values[key] = nxt
            nxt += 1
        enums[name] = values
    defines = dict(re.findall(r'#define\s+(\w+)\s+(\S+)', text))
    return enums, defines


def spec_enum(entries, prefix, cnt_name=None, max_name=None):
    values, nxt = {}, 0
    for entry in entries:
        nxt = entry.get('value', nxt)
        values[c_name(prefix + entry['name'])] = nxt
        nxt += 1
    cnt = c_name(cnt_name) if cnt_name else '__' + c_name(prefix) + 'MAX'
    mx = c_name(max_name) if max_name else c_name(prefix) + 'MAX'
    values[cnt] = nxt
    values[mx] = nxt - 1
    return values


def main(spec_path, header_path):
    spec = yaml.safe_load(open(spec_path))
    enums, defines = header_enums(open(header_path).read())
    errors = []

    def expect(what, want, got):
        if want != got:
            errors.append('%s: spec %r, header %r' % (what, want, got))

    expect('family name', '"%s"' % spec['name'],
           defines.get(c_name(spec['c-family-name'])))
    expect('version', str(spec.get('version', 1)),
           defines.get(c_name(spec['c-version-name'])))
    for group in spec['mcast-groups']['list']:
        expect('mcast group', '"%s"' % group['name'],
               defines.get(c_name(group['c-define-name'])))
    for d in spec['definitions']:
        if d['type'] == 'const':
            expect(d['name'], str(d['value']),
                   defines.get(c_name(spec['name'] + '-' + d['name'])))

    sets = {s['name']: s for s in spec['attribute-sets']}
    for s in spec['attribute-sets']:
        enum = c_name(s['enum-name']).lower()
        expect('enum ' + enum,
               spec_enum(s['attributes'], s['name-prefix'],
                         s.get('attr-cnt-name'), s.get('attr-max-name')),
               enums.get(enum))
    ops = spec['operations']
    expect('enum ' + c_name(ops['enum-name']).lower(),
           spec_enum(ops['list'], ops['name-prefix']),
           enums.get(c_name(ops['enum-name']).lower()))

    # Every attribute an operation names exists in its set.
    for op in ops['list']:
        names = {a['name'] for a in sets.get(op.get('attribute-set'),
                                             {'attributes': []})['attributes']}
        for mode in ('do', 'dump'):
            for part in ('request', 'reply'):
                for attr in op.get(mode, {}).get(part, {}).get(
                        'attributes', []):
                    if attr not in names:
                        errors.append('%s %s %s: unknown attribute %s' %
                                      (op['name'], mode, part, attr))
    for s in spec['attribute-sets']:
        for a in s['attributes']:
            nested = a.get('nested-attributes')
            if nested and nested not in sets:
                errors.append('%s.%s: unknown set %s' %
                              (s['name'], a['name'], nested))

    for e in errors:
        print('check-spec: ' + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2]))
