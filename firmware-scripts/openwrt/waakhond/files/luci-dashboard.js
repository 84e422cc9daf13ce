'use strict';
'require view';
'require uci';

// LuCI page (Services > Waakhond): links to the Waakhond dashboard, which has its own login.
return view.extend({
	load: function() {
		return uci.load('waakhond');
	},

	render: function() {
		var port = uci.get('waakhond', 'main', 'port') || '8080';
		var host = uci.get('waakhond', 'main', 'host') || window.location.hostname;
		if (host.indexOf(':') >= 0 && host.charAt(0) !== '[')
			host = '[' + host + ']';
		var url = 'http://' + host + ':' + port + '/';
		var enabled = uci.get('waakhond', 'main', 'enabled') !== '0';

		return E('div', { 'class': 'cbi-map' }, [
			E('h2', {}, _('Waakhond')),
			E('div', { 'class': 'cbi-map-descr' },
				_('Watches the devices on your home network and tells you which one needs what.')),
			enabled
				? E('p', {}, E('a', { 'class': 'btn cbi-button cbi-button-action', 'href': url,
					'target': '_blank', 'rel': 'noopener noreferrer' }, _('Open the dashboard')))
				: E('p', {}, _('Waakhond is disabled: uci set waakhond.main.enabled=1; uci commit waakhond'))
		]);
	},

	handleSave: null,
	handleSaveApply: null,
	handleReset: null
});
