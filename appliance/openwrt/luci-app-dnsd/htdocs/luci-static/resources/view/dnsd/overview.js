'use strict';
'require view';
'require rpc';
'require poll';
'require ui';

/*
 * dnsd overview: the policy phase in force, the next boundary, and the LAN
 * hosts still asking policy names (newest first), from the rpcd plugin
 * luci.dnsd (`dnsdctl status --json`, `dnsdctl hosts --json`). Refreshed
 * every poll interval without reloading the page. "-" where dnsd does not
 * know a field.
 */

var callStatus = rpc.declare({ object: 'luci.dnsd', method: 'status' });
var callHosts = rpc.declare({ object: 'luci.dnsd', method: 'hosts' });

function dash(v) {
	return (v == null || v === '') ? '-' : String(v);
}

/* "2024-09-29T04:00:00Z" in the browser's local time. */
function when(iso) {
	if (!iso)
		return '-';
	var d = new Date(iso);
	return isNaN(d) ? iso : d.toLocaleString();
}

function categories(c) {
	return Object.keys(c || {}).map(function(k) { return k + ' ' + c[k]; }).join(', ') || '-';
}

function statusRows(st) {
	if (!st || st.error)
		return [[_('dnsd'), st && st.error ? st.error : _('no answer')]];
	var p = st.policy;
	if (!p)
		return [[_('Policy'), _('none loaded')]];
	var rows = [
		[_('Policy'), p.file],
		[_('Phase in force'), p.phase || _('none: before the first phase')],
		[_('Next boundary'), p.next_boundary ? when(p.next_boundary) : _('none')],
		[_('Clock'), p.clock == 'unsynced' ? _('not synced: the unsynced rule applies') : p.clock]
	];
	if (p.audit)
		rows.push([_('Audit mode'), _('on: every policy name is recorded, nothing is blocked')]);
	return rows;
}

function hostRows(hl) {
	return ((hl && hl.hosts) || []).map(function(h) {
		return [
			h.ip, dash(h.mac), dash(h.hostname), when(h.first), when(h.last),
			String(h.total), categories(h.categories), dash(h.last_action),
			(h.names || []).join(' ') || '-'
		];
	});
}

return view.extend({
	load: function() {
		return Promise.all([
			L.resolveDefault(callStatus(), null),
			L.resolveDefault(callHosts(), null)
		]);
	},

	update: function(tables, data) {
		var hl = data[1];
		tables.status.replaceChildren.apply(tables.status, statusRows(data[0]).map(function(r) {
			return E('tr', { 'class': 'tr' }, [
				E('td', { 'class': 'td left', 'width': '33%' }, r[0]),
				E('td', { 'class': 'td left' }, r[1])
			]);
		}));
		cbi_update_table(tables.hosts, hostRows(hl),
			E('em', hl && hl.error ? hl.error : _('No host has asked a policy name.')));
		tables.more.textContent = (hl && hl.truncated)
			? _('Not shown, seen less recently: %d hosts; dnsdctl hosts lists them all.').format(hl.truncated)
			: '';
	},

	render: function(data) {
		var tables = {
			status: E('table', { 'class': 'table', 'id': 'dnsd-status' }),
			hosts: E('table', { 'class': 'table', 'id': 'dnsd-hosts' }, [
				E('tr', { 'class': 'tr table-titles' }, [
					E('th', { 'class': 'th' }, _('IP')),
					E('th', { 'class': 'th' }, _('MAC')),
					E('th', { 'class': 'th' }, _('Hostname')),
					E('th', { 'class': 'th' }, _('First seen')),
					E('th', { 'class': 'th' }, _('Last seen')),
					E('th', { 'class': 'th' }, _('Attempts')),
					E('th', { 'class': 'th' }, _('Categories')),
					E('th', { 'class': 'th' }, _('Last action')),
					E('th', { 'class': 'th' }, _('Names asked'))
				])
			]),
			more: E('p', { 'id': 'dnsd-more' })
		};
		this.update(tables, data);
		poll.add(L.bind(function() {
			return this.load().then(L.bind(this.update, this, tables));
		}, this));
		return E('div', { 'class': 'cbi-map' }, [
			E('h2', _('dnsd')),
			E('div', { 'class': 'cbi-map-descr' },
				_('Which LAN hosts still ask the names of the policy, and what dnsd answers them.')),
			E('div', { 'class': 'cbi-section' }, [
				E('h3', _('Policy')),
				tables.status
			]),
			E('div', { 'class': 'cbi-section' }, [
				E('h3', _('Hosts still trying, last seen first')),
				tables.hosts,
				tables.more
			])
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
