// Dashboard entry: set the language, start the router, check the session, render.
import { render } from 'preact';
import { App } from './app.js';
import { lang } from './models/lang.js';
import { startRouter } from './models/route.js';
import { checkSession } from './models/session.js';

document.documentElement.lang = lang.value;
startRouter();
void checkSession();
render(<App />, document.getElementById('app')!);
