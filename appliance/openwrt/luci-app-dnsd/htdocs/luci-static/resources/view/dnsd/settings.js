'use strict';
'require view';
'require form';

/*
 * dnsd settings: a form over /etc/config/dnsd (section 'main'). Saving
 * commits the uci config; the init script re-renders /var/etc/dnsd.conf and
 * reloads dnsd. Each option is documented in docs/openwrt.md.
 */

return view.extend({
	render: function() {
		var m, s, o;

		m = new form.Map('dnsd', _('dnsd settings'),
			_('A caching DNS forwarder with a date-based policy and per-host logs. A change of mode or listen port needs a restart of dnsd.'));

		s = m.section(form.NamedSection, 'main', 'dnsd');
		s.addremove = false;
		s.tab('general', _('General'));
		s.tab('cache', _('Cache'));
		s.tab('hosts', _('Hosts'));
		s.tab('logs', _('Logs'));

		o = s.taboption('general', form.Flag, 'enabled', _('Enabled'));
		o.rmempty = false;

		o = s.taboption('general', form.ListValue, 'mode', _('Mode'),
			_('behind: dnsmasq keeps port 53 and forwards to dnsd on 127.0.0.1#5353. primary: dnsd answers on port 53, dnsmasq does DHCP only.'));
		o.value('behind', _('behind dnsmasq'));
		o.value('primary', _('primary (port 53)'));
		o.default = 'behind';

		o = s.taboption('general', form.DynamicList, 'upstream', _('Upstream servers'),
			_('The WAN\'s DNS servers when empty.'));
		o.datatype = 'ipaddr';

		o = s.taboption('general', form.Value, 'policy_file', _('Policy file'),
			_('The shipped policy is updated with the package; to change it, copy it to /etc/dnsd/ and point here.'));
		o.placeholder = '/usr/share/dnsd/kaspersky.conf';

		o = s.taboption('general', form.Flag, 'local_service', _('Local service only'),
			_('Answer only loopback and the subnets of the interfaces below, never the WAN.'));
		o.default = '1';

		o = s.taboption('general', form.DynamicList, 'lan_interface', _('LAN interfaces'));
		o.depends('local_service', '1');

		o = s.taboption('general', form.Flag, 'force_dns', _('Force DNS'),
			_('Redirect LAN port 53 to this router and refuse LAN port 853.'));

		o = s.taboption('general', form.DynamicList, 'force_dns_interface', _('Force DNS on'));
		o.depends('force_dns', '1');

		o = s.taboption('general', form.Value, 'user', _('Run as user'));
		o.placeholder = 'dnsd';

		o = s.taboption('general', form.Value, 'control_socket', _('Control socket'));
		o.placeholder = '/var/run/dnsd/control.sock';

		o = s.taboption('cache', form.Value, 'cache_max_entries', _('Maximum entries'));
		o.datatype = 'uinteger';
		o.placeholder = '10000';

		o = s.taboption('cache', form.Value, 'cache_max_bytes', _('Maximum bytes'));
		o.datatype = 'uinteger';
		o.placeholder = '4194304';

		o = s.taboption('hosts', form.Value, 'hosts_state_file', _('State file'),
			_('In /tmp the table is lost at reboot but the flash is not worn.'));

		o = s.taboption('hosts', form.Value, 'hosts_save_interval', _('Save every (seconds)'));
		o.datatype = 'uinteger';
		o.placeholder = '60';

		o = s.taboption('hosts', form.Value, 'history_dir', _('History on flash'),
			_('A copy of the table and of the last event log lines, kept across reboots; empty: RAM only.'));

		o = s.taboption('hosts', form.Value, 'history_interval', _('Copy to flash every (seconds)'));
		o.datatype = 'uinteger';
		o.placeholder = '21600';

		o = s.taboption('hosts', form.Value, 'history_log_lines', _('Event log lines kept on flash'));
		o.datatype = 'uinteger';
		o.placeholder = '200';

		o = s.taboption('hosts', form.Value, 'hosts_leases', _('DHCP leases'));
		o.placeholder = '/tmp/dhcp.leases';

		o = s.taboption('hosts', form.DynamicList, 'hosts_trusted_forwarders', _('Trusted forwarders'),
			_('Forwarders (dnsmasq) whose MAC and client subnet options name the real client.'));
		o.datatype = 'ipaddr';

		o = s.taboption('logs', form.Value, 'log_file', _('Event log'));
		o.placeholder = '/tmp/dnsd/events.log';

		o = s.taboption('logs', form.Value, 'log_max_size', _('Rotate at bytes'));
		o.datatype = 'uinteger';

		o = s.taboption('logs', form.Value, 'log_keep', _('Rotated files kept'));
		o.datatype = 'uinteger';

		o = s.taboption('logs', form.Value, 'log_host_dir', _('Per-host log directory'));

		o = s.taboption('logs', form.Flag, 'log_syslog', _('Also to syslog'));

		return m.render();
	}
});
