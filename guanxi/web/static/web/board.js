// The pipeline board's drag and drop (an island: without it each card's "Change stage" link
// opens the board's one stage form). A drop POSTs the new stage to the card's move URL and
// asks for JSON; on success the card moves to the top of its column (it is now the newest
// updated) and both columns' counts, totals and weighted totals are updated in place.
(() => {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const message = document.getElementById("board-message");
  let dragged = null;

  // Money in cents as BigInt, so totals stay exact.
  const toCents = (text) => {
    const [whole, fraction = ""] = String(text || "0").trim().split(".");
    const sign = whole.startsWith("-") ? -1n : 1n;
    return BigInt(whole) * 100n + sign * BigInt((fraction + "00").slice(0, 2));
  };
  const plain = (cents) => {
    const sign = cents < 0n ? "-" : "";
    const abs = cents < 0n ? -cents : cents;
    return `${sign}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
  };
  const money = (cents) => {
    const [whole, fraction] = plain(cents).split(".");
    return `${whole.replace(/\B(?=(\d{3})+$)/g, ",")}.${fraction}`;
  };

  const cookie = (name) => {
    const found = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  };

  const show = (text) => {
    if (!message) return;
    message.textContent = text;
    message.classList.toggle("d-none", !text);
  };

  // amount × probability / 100, half up to the cent, as the server sums it.
  const weighted = (cents, probability) => (cents * BigInt(probability || 0) + 50n) / 100n;

  const bump = (element, key, cents) => {
    if (!element) return;
    const total = toCents(element.dataset[key]) + cents;
    element.dataset[key] = plain(total);
    element.textContent = money(total);
  };

  const adjust = (column, count, cents, weightedCents) => {
    const countEl = column.querySelector("[data-count]");
    countEl.textContent = String(Number(countEl.textContent) + count);
    bump(column.querySelector("[data-total]"), "total", cents);
    bump(column.querySelector("[data-weighted]"), "weighted", weightedCents);
  };

  // Cards are listed newest-updated first: a moved card goes to the top.
  const place = (card, column) => {
    const list = column.querySelector("[data-cards]");
    list.insertBefore(card, list.firstChild);
  };

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest("[data-card]");
    if (!card || card.getAttribute("draggable") !== "true") return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.moveUrl);
    card.classList.add("dragging");
  });

  board.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    board.querySelectorAll(".drop-target").forEach((c) => c.classList.remove("drop-target"));
  });

  board.addEventListener("dragover", (event) => {
    const column = dragged && event.target.closest("[data-stage]");
    if (!column) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    column.classList.add("drop-target");
  });

  board.addEventListener("dragleave", (event) => {
    const column = event.target.closest("[data-stage]");
    if (column && !column.contains(event.relatedTarget)) column.classList.remove("drop-target");
  });

  board.addEventListener("drop", async (event) => {
    const column = dragged && event.target.closest("[data-stage]");
    if (!column) return;
    event.preventDefault();
    column.classList.remove("drop-target");
    const card = dragged;
    const from = card.closest("[data-stage]");
    if (from === column) return;
    const token = board.dataset.csrf || cookie("csrftoken");
    const body = new FormData();
    body.append("stage", column.dataset.stage);
    body.append("csrfmiddlewaretoken", token);
    // The version the card was shown at: a drop on a card someone changed meanwhile is
    // refused (409) with who changed it, instead of overwriting their change.
    if (card.dataset.version) body.append("version", card.dataset.version);
    card.classList.add("moving");
    try {
      const response = await fetch(card.dataset.moveUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": token },
      });
      const data = await response.json().catch(() => null);
      if (!data) {
        window.location.reload();
        return;
      }
      if (!response.ok || !data.ok) {
        show(data.error || board.dataset.moveError);
        return;
      }
      show("");
      const target = board.querySelector(`[data-stage="${data.stage}"]`) || column;
      const cents = toCents(card.dataset.amount);
      const before = weighted(cents, card.dataset.probability);
      const after = toCents(data.weighted);
      place(card, target);
      adjust(from, -1, -cents, -before);
      adjust(target, 1, cents, after);
      card.dataset.probability = String(data.probability);
      if (data.version) card.dataset.version = String(data.version);
      const prob = card.querySelector("[data-prob]");
      if (prob) prob.textContent = String(data.probability);
    } catch (error) {
      show(board.dataset.moveError);
    } finally {
      card.classList.remove("moving");
    }
  });
})();
