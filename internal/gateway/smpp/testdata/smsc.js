// A minimal SMSC for TestInteropNodeSMPP, written with the npm package
// smpp (an implementation independent of nudge's). It listens on a free
// loopback port and reports everything as JSON lines on stdout:
//   {"event":"listening","port":N}
//   {"event":"bind", ...}            a bind it accepted
//   {"event":"throttled", ...}       a submit_sm it refused with ESME_RTHROTTLED
//   {"event":"submit", ...}          an accepted submit_sm part
//   {"event":"message", ...}         a whole message, long ones reassembled from their UDH
// When a whole message has arrived it sends a delivery receipt for each of
// its parts; after the first long message it also sends two customer
// replies, one plain and one concatenated.
// THROTTLE_FIRST (env) is how many submit_sm to refuse with ESME_RTHROTTLED.
'use strict';
const smpp = require('smpp');

const throttleFirst = parseInt(process.env.THROTTLE_FIRST || '0', 10);
let submits = 0;
let nextId = 0xA000;
const partial = new Map(); // udh ref -> {total, parts: Map(seq -> {text, id})}

function report(obj) {
	process.stdout.write(JSON.stringify(obj) + '\n');
}

function udhConcat(udhList) {
	for (const ie of udhList || []) {
		if (ie[0] === 0x00 && ie[1] === 3) return {ref: ie[2], total: ie[3], seq: ie[4]};
		if (ie[0] === 0x08 && ie[1] === 4) return {ref: ie.readUInt16BE(2), total: ie[4], seq: ie[5]};
	}
	return null;
}

function receipt(session, pdu, id, text) {
	session.deliver_sm({
		source_addr: pdu.destination_addr,
		destination_addr: pdu.source_addr,
		esm_class: smpp.ESM_CLASS.MC_DELIVERY_RECEIPT,
		short_message: 'id:' + id + ' sub:001 dlvrd:001 submit date:2405011230 done date:2405011231 stat:DELIVRD err:000 text:' + text.slice(0, 10).replace(/[^ -~]/g, '.'),
		receipted_message_id: id,
		message_state: smpp.MESSAGE_STATE.DELIVERED,
	});
}

let repliedOnce = false;
function replies(session, pdu) {
	if (repliedOnce) return;
	repliedOnce = true;
	session.deliver_sm({
		source_addr: pdu.destination_addr,
		destination_addr: pdu.source_addr,
		data_coding: 8,
		short_message: '好的，谢谢',
	});
	// A reply long enough to be sent in two parts (16-bit reference), second part first.
	const ref = Buffer.from([0x08, 0x04, 0x12, 0x34, 0x02]);
	for (const [seq, text] of [[2, '第二部分'], [1, '第一部分，']]) {
		session.deliver_sm({
			source_addr: pdu.destination_addr,
			destination_addr: pdu.source_addr,
			data_coding: 8,
			short_message: {udh: Buffer.concat([Buffer.from([0x06]), ref, Buffer.from([seq])]), message: text},
		});
	}
}

const server = smpp.createServer(function (session) {
	session.on('error', function (e) { report({event: 'error', error: String(e)}); });
	for (const cmd of ['bind_transceiver', 'bind_transmitter', 'bind_receiver']) {
		session.on(cmd, function (pdu) {
			report({event: 'bind', command: cmd, system_id: pdu.system_id, password: pdu.password,
				interface_version: pdu.interface_version});
			session.send(pdu.response({system_id: 'NODESMSC'}));
		});
	}
	session.on('enquire_link', function (pdu) { session.send(pdu.response()); });
	session.on('unbind', function (pdu) { session.send(pdu.response()); session.close(); });
	session.on('submit_sm', function (pdu) {
		submits++;
		if (submits <= throttleFirst) {
			report({event: 'throttled', n: submits});
			session.send(pdu.response({command_status: smpp.ESME_RTHROTTLED}));
			return;
		}
		const id = (nextId++).toString(16);
		session.send(pdu.response({message_id: id}));
		const sm = pdu.short_message;
		const text = typeof sm === 'string' ? sm : (typeof sm.message === 'string' ? sm.message : sm.message.toString('hex'));
		const cc = udhConcat(sm.udh);
		report({event: 'submit', id: id, to: pdu.destination_addr, from: pdu.source_addr,
			data_coding: pdu.data_coding, esm_class: pdu.esm_class, registered_delivery: pdu.registered_delivery,
			udh: (sm.udh || []).map(function (b) { return b.toString('hex'); }), text: text});
		if (!cc) {
			report({event: 'message', to: pdu.destination_addr, parts: 1, ids: [id], text: text});
			receipt(session, pdu, id, text);
			return;
		}
		let set = partial.get(cc.ref);
		if (!set) {
			set = {total: cc.total, parts: new Map()};
			partial.set(cc.ref, set);
		}
		set.parts.set(cc.seq, {text: text, id: id});
		if (set.parts.size < set.total) return;
		partial.delete(cc.ref);
		const ordered = [];
		for (let i = 1; i <= set.total; i++) ordered.push(set.parts.get(i));
		const whole = ordered.map(function (p) { return p.text; }).join('');
		report({event: 'message', to: pdu.destination_addr, parts: set.total,
			ids: ordered.map(function (p) { return p.id; }), text: whole});
		for (const p of ordered) receipt(session, pdu, p.id, whole);
		replies(session, pdu);
	});
});

server.listen(0, '127.0.0.1', function () {
	report({event: 'listening', port: server.address().port});
});
// The Go test closes stdin when it is done; exit then, so that no SMSC is
// left running whatever happens to the test.
process.stdin.on('end', function () { process.exit(0); });
process.stdin.resume();
