/* Beseda chat loader: defines window.Beseda at once and fetches the widget after the page has loaded. */
(function (w, d) {
  if (w.Beseda && w.Beseda.version) return;
  var script = d.currentScript, data = (script && script.dataset) || {}, site = data.site || "default";
  var base = new URL(script ? script.src : "/widget.js", location.href);
  var relay = base.href.slice(0, base.href.lastIndexOf("/"));
  // `failure`: the widget's `error`, told again to handlers added after it, as `ready` is.
  var handlers = {}, queue = [], api = null, widget = null, failure = null, nav = navigator;
  function emit(name, payload) {
    if (name === "error") failure = payload;
    (handlers[name] || []).slice().forEach(function (handler) {
      try { handler(payload); } catch (error) { setTimeout(function () { throw error; }); }
    });
  }
  var Beseda = w.Beseda = {
    version: 1,
    on: function (name, handler) {
      (handlers[name] = handlers[name] || []).push(handler);
      if (name === "ready" && api) handler();
      if (name === "error" && failure) handler(failure);
    },
    off: function (name, handler) {
      handlers[name] = (handlers[name] || []).filter(function (h) { return h !== handler; });
    }
  };
  "open close toggle send setVisitor setCart track consent".split(" ").forEach(function (method) {
    Beseda[method] = function () {
      var args = arguments;
      if (api) return api[method].apply(api, args);
      return new Promise(function (resolve, reject) { queue.push([method, args, resolve, reject]); });
    };
  });
  // A new task, in an idle moment: instantiating, starting, mounting and building the window
  // each run on their own, so that they never add up to one long task on the shop's page.
  function later() {
    return new Promise(function (resolve) {
      if (w.requestIdleCallback) w.requestIdleCallback(resolve, { timeout: 1000 }); else setTimeout(resolve, 1);
    });
  }
  function start() {
    import(relay + "/widget/__BESEDA_JS__").then(function (module) {
      return module.default({ module_or_path: relay + "/widget/__BESEDA_WASM__" }).then(later).then(function () {
        widget = module.start({
          relay: base.origin + base.pathname.slice(0, base.pathname.lastIndexOf("/")),
          site: site,
          locales: [data.locale, d.documentElement.lang].concat(nav.languages || [nav.language]).filter(Boolean),
          position: data.position || "right",
          color: data.color || "",
          // Consent given on the script tag or by a call made before the widget started.
          consent: queue.reduce(function (granted, call) {
            return call[0] == "consent" ? call[1][0] === true : granted;
          }, data.consent === "granted")
        }, emit);
        return later().then(function steps() { return widget.step() ? later().then(steps) : null; });
      }).then(function () {
        files(d.querySelector("beseda-chat").shadowRoot);
        api = widget;
        emit("ready");
        queue.splice(0).forEach(function (call) {
          try { Promise.resolve(api[call[0]].apply(api, call[1])).then(call[2], call[3]); } catch (error) { call[3](error); }
        });
      });
    }).catch(function (error) { console.error("Beseda: the chat could not start", error); });
  }
  // Files picked with the composer's button, dropped on the window or pasted into the composer,
  // and a click on an image's thumbnail, go to the files module, fetched the first time. What an
  // event carries is taken while it lasts: a drop's or a paste's files are gone after it.
  function files(root) {
    "change dragover drop paste click".split(" ").forEach(function (type) {
      root.addEventListener(type, function (event) {
        var target = event.target, carried = event.dataTransfer || event.clipboardData;
        var list = Array.from((carried || target).files || []), thumb = type == "click" && target.closest(".thumb");
        if (type == "dragover") list = carried.types.includes("Files") ? 0 : list;
        else if (type == "click" && target.closest(".attach")) root.querySelector("[type=file]").click();
        else if (list.length || thumb) import(relay + "/widget/__BESEDA_FILES__").then(function (module) {
          module.take({ root: root, widget: widget, relay: relay, site: site }, list, thumb);
        });
        if (!list || list.length || thumb) event.preventDefault();
        if (target.files) target.value = "";
      });
    });
  }
  function idle() { later().then(start); }
  if (d.readyState === "complete") idle(); else w.addEventListener("load", idle);
})(window, document);
