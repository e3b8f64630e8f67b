// beseda-widget: starts the Beseda chat widget from a relay and returns its API.
//
// The widget itself is served by the relay (so it always speaks the relay's protocol); this
// module adds the relay's loader to the page once and hands back the same object as
// `window.Beseda`.

let started = null;

/**
 * @param {import("./index").ChatOptions} options
 * @returns {Promise<import("./index").Chat>}
 */
export function createChat(options) {
  if (typeof window === "undefined") {
    return Promise.reject(new Error("beseda-widget runs in a browser"));
  }
  if (started) return started;
  const relay = String(options && options.relay || "").replace(/\/+$/, "");
  if (!/^https?:\/\//.test(relay)) {
    return Promise.reject(new Error("createChat needs { relay: \"https://…\" }"));
  }
  started = new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.async = true;
    script.src = `${relay}/widget.js`;
    script.dataset.site = options.site || "default";
    if (options.locale) script.dataset.locale = options.locale;
    if (options.position) script.dataset.position = options.position;
    if (options.color) script.dataset.color = options.color;
    if (options.consent === true) script.dataset.consent = "granted";
    script.onload = () => (window.Beseda ? resolve(window.Beseda) : reject(new Error("the relay's widget.js did not start")));
    script.onerror = () => {
      started = null;
      reject(new Error(`could not load ${script.src}`));
    };
    document.head.appendChild(script);
  });
  return started;
}

export default createChat;
