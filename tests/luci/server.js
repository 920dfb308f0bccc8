// A stand-in for uhttpd + rpcd + ucode LuCI, enough to load the LuCI app's
// views in a browser: serves a luci-base htdocs tree (argument LUCI_ROOT)
// with the app's views laid over it, a page shell per view that boots LuCI
// as its header.ut and view.ut templates do, and a /ubus JSON-RPC endpoint
// answering session, luci, file and uci calls (uci from a UCI file read at
// start) and the app's luci.dnsd methods by running its rpcd plugin (with
// busybox sh and the jshn.sh of tests/openwrt/standins, as IPKG_INSTROOT).
// Usage: node server.js PORT LUCI_ROOT APP_DIR UCI_DIR PLUGIN LOG
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');

const [port, luciRoot, appDir, uciDir, plugin, logFile] = process.argv.slice(2);
const MAX_BODY = 1 << 20;
const log = (msg) => fs.appendFileSync(logFile, msg + '\n');

// UCI's text format: config TYPE ['NAME'], option K 'V', list K 'V'.
function parseUci(text) {
	const values = {};
	let sec = null, n = 0;
	const unq = (s) => s.replace(/^'(.*)'$/, '$1').replace(/^"(.*)"$/, '$1');
	for (const line of text.split('\n')) {
		const m = line.trim().match(/^(config|option|list)\s+(\S+)(?:\s+(.*))?$/);
		if (!m)
			continue;
		if (m[1] == 'config') {
			const name = m[3] ? unq(m[3]) : 'cfg%02x'.replace('%02x', (n + 1).toString(16).padStart(2, '0'));
			sec = values[name] = { '.name': name, '.type': m[2], '.anonymous': !m[3], '.index': n++ };
		} else if (sec && m[1] == 'option') {
			sec[m[2]] = unq(m[3] || '');
		} else if (sec) {
			(sec[m[2]] = sec[m[2]] || []).push(unq(m[3] || ''));
		}
	}
	return values;
}

function uciGet(config) {
	const f = path.join(uciDir, config);
	return fs.existsSync(f) ? [0, { values: parseUci(fs.readFileSync(f, 'utf8')) }] : [4];
}

function pluginCall(method, args) {
	const out = execFileSync('busybox', ['sh', plugin, 'call', method], { input: JSON.stringify(args || {}), timeout: 10000 });
	return [0, JSON.parse(out.toString())];
}

// One JSON-RPC request: ubus status codes as rpcd gives them (0 ok, 3 method
// not found, 6 permission denied).
function ubus(req) {
	if (req.method == 'list')
		return { 'luci.dnsd': { hosts: {}, status: {} } };
	if (req.method != 'call' || !Array.isArray(req.params))
		return null;
	const [, object, method, args] = req.params;
	log('ubus call ' + object + ' ' + method + ' ' + JSON.stringify(args));
	if (object == 'luci.dnsd' && (method == 'hosts' || method == 'status'))
		return pluginCall(method, args);
	if (object == 'uci' && method == 'get')
		return uciGet(args.config);
	if (object == 'uci' && method == 'changes')
		return [0, { changes: {} }];
	if (object == 'luci' && method == 'getFeatures')
		return [0, {}];
	if (object == 'file' && method == 'list')
		return [0, { entries: [] }];
	if (object == 'session' && method == 'access')
		return [0, { access: true }];
	return [3];
}

function pageShell(view) {
	const env = {
		media: '/luci-static/bootstrap', resource: '/luci-static/resources',
		scriptname: '/cgi-bin/luci', pathinfo: '/admin/services/' + view,
		documentroot: '/www', requestpath: ['admin', 'services'].concat(view.split('/')),
		dispatchpath: ['admin', 'services'].concat(view.split('/')),
		pollinterval: 5, ubuspath: '/ubus/', sessionid: '0'.repeat(32), token: '1'.repeat(32),
		nodespec: { action: { type: 'view', path: view } },
		apply_rollback: 90, apply_holdoff: 4, apply_timeout: 5, apply_display: 1.5,
		rollback_token: null
	};
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>dnsd | ${view}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${env.media}/cascade.css">
<script src="/luci-static/resources/cbi.js"></script>
</head><body class="lang_en" data-page="admin-services-${view.replace('/', '-')}">
<header><a class="brand" href="/">dnsd-test</a></header>
<div id="maincontent" class="container">
<script src="/luci-static/resources/luci.js"></script>
<script>L = new LuCI(${JSON.stringify(env)});</script>
<div id="view"><div class="spinning">Loading view…</div>
<script>L.require('ui').then(function(ui) { ui.instantiateView(${JSON.stringify(view)}); });</script>
</div></div></body></html>
`;
}

const types = { '.js': 'application/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

function serveFile(res, file) {
	fs.readFile(file, (err, data) => {
		if (err) {
			log('404 ' + file);
			res.writeHead(404).end();
			return;
		}
		res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' }).end(data);
	});
}

http.createServer((req, res) => {
	const url = new URL(req.url, 'http://x');
	const p = path.posix.normalize(decodeURIComponent(url.pathname));
	if (req.method == 'POST' && (p == '/ubus' || p == '/ubus/')) {
		let body = '';
		req.on('data', (c) => { body += c; if (body.length > MAX_BODY) req.destroy(); });
		req.on('end', () => {
			let reqs;
			try { reqs = JSON.parse(body); } catch (e) { res.writeHead(400).end(); return; }
			const one = (r) => {
				let result;
				try { result = ubus(r); } catch (e) { log('error ' + e); result = [5]; }
				return result ? { jsonrpc: '2.0', id: r.id, result: result }
				              : { jsonrpc: '2.0', id: r.id, error: { code: -32601, message: 'Method not found' } };
			};
			const out = Array.isArray(reqs) ? reqs.map(one) : one(reqs);
			res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(out));
		});
		return;
	}
	const m = p.match(/^\/cgi-bin\/luci\/admin\/services\/(dnsd\/[a-z]+)$/);
	if (m) {
		res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(pageShell(m[1]));
	} else if (p.startsWith('/luci-static/resources/view/dnsd/')) {
		serveFile(res, path.join(appDir, 'htdocs', p));
	} else if (p.startsWith('/luci-static/')) {
		serveFile(res, path.join(luciRoot, p));
	} else {
		log('404 ' + p);
		res.writeHead(404).end();
	}
}).listen(+port, '127.0.0.1', () => log('listening on ' + port));
