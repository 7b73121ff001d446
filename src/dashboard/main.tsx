// The dashboard's entry: with a session, asks for the user and the first page's data at
// once (not one after the other), then mounts the app shell into #app.
import { render } from "preact";
import { session, startEarly } from "./api/client";
import { USER_INFO } from "./api/me";
import { App, firstRequests } from "./app";
import { currentPath } from "./lib/router";
import "./styles.css";

if (session.token()) startEarly([USER_INFO, ...firstRequests(currentPath())]);
render(<App />, document.getElementById("app")!);
