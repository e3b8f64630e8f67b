import { createChat } from "beseda-widget";

// The relay to talk to: ?relay=… for trying against any relay, else the one `make run` starts.
const relay = new URLSearchParams(location.search).get("relay") ?? "http://127.0.0.1:8080";

const chat = await createChat({ relay, site: "demo", locale: "en" });
chat.on("message", (message) => {
  document.getElementById("last").textContent = `${message.author}: ${message.text}`;
});
document.getElementById("help").addEventListener("click", () => chat.open());
window.chat = chat;
