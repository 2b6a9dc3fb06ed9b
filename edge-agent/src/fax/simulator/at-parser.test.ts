import t from 'tap';
import { parseAtLine } from './at-parser.js';

t.test('basic, S-register, dial and extended commands', async (t) => {
  t.same(parseAtLine('ATQ0V1'), [{ kind: 'basic', name: 'Q', arg: '0' }, { kind: 'basic', name: 'V', arg: '1' }]);
  t.same(parseAtLine('ATV1Q0'), [{ kind: 'basic', name: 'V', arg: '1' }, { kind: 'basic', name: 'Q', arg: '0' }]);
  t.same(parseAtLine('AT&K4S0=2'), [{ kind: 'basic', name: '&K', arg: '4' }, { kind: 'sreg', reg: 0, op: 'set', value: 2 }]);
  t.same(parseAtLine('ATS0?'), [{ kind: 'sreg', reg: 0, op: 'query', value: 0 }]);
  t.same(parseAtLine('ATD5551234'), [{ kind: 'dial', number: '5551234' }]);
  t.same(parseAtLine('atdt 555-1234'), [{ kind: 'dial', number: 't 555-1234' }]);
  t.same(parseAtLine('AT+FCLASS=?'), [{ kind: 'ext', name: '+FCLASS', op: 'test', value: '' }]);
  t.same(parseAtLine('AT+FMI?'), [{ kind: 'ext', name: '+FMI', op: 'query', value: '' }]);
  t.same(parseAtLine('AT+FLI="  +1 555; 0100"'), [{ kind: 'ext', name: '+FLI', op: 'set', value: '"  +1 555; 0100"' }]);
  t.same(parseAtLine('AT+FCR=1;+FBO=0'), [
    { kind: 'ext', name: '+FCR', op: 'set', value: '1' },
    { kind: 'ext', name: '+FBO', op: 'set', value: '0' },
  ]);
  t.same(parseAtLine('AT+FDT'), [{ kind: 'ext', name: '+FDT', op: 'exec', value: '' }]);
  t.same(parseAtLine('AT'), []);
  t.throws(() => parseAtLine('AT+FLI="open'), { name: 'AtSyntaxError' });
  t.throws(() => parseAtLine('AT#$'), { name: 'AtSyntaxError' });
  t.throws(() => parseAtLine('hello'), { name: 'AtSyntaxError' });
});
