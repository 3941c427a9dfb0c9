// The pipeline board's drag and drop (an island: without it each card's stage form works).
// A drop POSTs the new stage to the card's move URL and asks for JSON; on success the card
// moves to its column and both columns' counts and totals are updated in place.
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

  const adjust = (column, count, cents) => {
    const countEl = column.querySelector("[data-count]");
    countEl.textContent = String(Number(countEl.textContent) + count);
    const totalEl = column.querySelector("[data-total]");
    const total = toCents(totalEl.dataset.total) + cents;
    totalEl.dataset.total = plain(total);
    totalEl.textContent = money(total);
  };

  // Cards are ordered by amount, largest first, as the server lists them.
  const place = (card, column) => {
    const list = column.querySelector("[data-cards]");
    const amount = toCents(card.dataset.amount);
    const before = [...list.querySelectorAll("[data-card]")].find(
      (other) => other !== card && toCents(other.dataset.amount) < amount,
    );
    list.insertBefore(card, before || null);
  };

  board.querySelectorAll("[data-card]").forEach((card) => {
    if (card.querySelector("form")) card.draggable = true;
  });

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest && event.target.closest("[data-card]");
    if (!card || !card.draggable) return;
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
    const form = card.querySelector("form");
    const tokenInput = form && form.querySelector("[name=csrfmiddlewaretoken]");
    const token = (tokenInput && tokenInput.value) || cookie("csrftoken");
    const body = new FormData();
    body.append("stage", column.dataset.stage);
    body.append("csrfmiddlewaretoken", token);
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
      place(card, target);
      adjust(from, -1, -cents);
      adjust(target, 1, cents);
      const select = form && form.querySelector("select[name=stage]");
      if (select) select.value = String(data.stage);
    } catch (error) {
      show(board.dataset.moveError);
    } finally {
      card.classList.remove("moving");
    }
  });
})();
