// Coding a de-identified document: turn the text selection (mouse, touch or keyboard)
// into character offsets of the document and post them with the ticked codes.
//
// The text is drawn as runs (<span class="run" data-start="N">); an offset is the run's
// start plus the position inside it, counted in characters (code points), as the server
// and REFI-QDA count them: a JavaScript string counts UTF-16 units, so an emoji would
// otherwise shift every offset after it.
(function () {
  "use strict";
  const text = document.getElementById("doc-text");
  const form = document.getElementById("code-form");
  if (!text || !form) return;
  const startField = document.getElementById("id_start");
  const endField = document.getElementById("id_end");
  const preview = document.getElementById("selection-preview");
  const apply = document.getElementById("apply-codes");
  const length = Number(text.dataset.length);
  const nothing = preview.textContent;

  function codePoints(s) {
    return Array.from(s).length;
  }

  // The document offset of a DOM position (node, offset) inside the text, or null.
  function offsetOf(node, offset) {
    if (!text.contains(node)) return null;
    if (node === text) {
      const run = text.children[offset];
      return run ? Number(run.dataset.start) : length;
    }
    const run = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
    if (!run || !run.classList.contains("run")) return null;
    const inside = node.nodeType === Node.TEXT_NODE ? node.textContent.slice(0, offset) : "";
    return Number(run.dataset.start) + codePoints(inside);
  }

  function checked() {
    return form.querySelectorAll("input[name=codes]:checked").length;
  }

  function update() {
    const selection = window.getSelection();
    let start = null;
    let end = null;
    if (selection && selection.rangeCount && !selection.isCollapsed) {
      const range = selection.getRangeAt(0);
      start = offsetOf(range.startContainer, range.startOffset);
      end = offsetOf(range.endContainer, range.endOffset);
    }
    if (start === null || end === null || end <= start) {
      // Keep the last selection: tapping a checkbox on a tablet clears the selection.
      apply.disabled = !startField.value || !checked();
      if (!startField.value) preview.textContent = nothing;
      return;
    }
    startField.value = start;
    endField.value = end;
    const quote = selection.toString().replace(/\s+/g, " ").trim();
    preview.textContent = "«" + (quote.length > 140 ? quote.slice(0, 140) + "…" : quote) + "» (" + start + "–" + end + ")";
    apply.disabled = !checked();
  }

  document.addEventListener("selectionchange", update);
  form.addEventListener("change", update);

  // Keyboard selection inside the (non-editable) text: arrows move a caret, Shift extends,
  // Ctrl/Alt works by word; digits tick codes 1–9; Enter applies.
  text.addEventListener("focus", function () {
    const selection = window.getSelection();
    if (!text.contains(selection.anchorNode)) {
      const first = text.querySelector(".run");
      if (first && first.firstChild) selection.collapse(first.firstChild, 0);
    }
  });
  text.addEventListener("keydown", function (event) {
    const selection = window.getSelection();
    const directions = { ArrowRight: "forward", ArrowLeft: "backward", ArrowDown: "forward", ArrowUp: "backward" };
    if (event.key in directions && selection.modify) {
      const unit = event.key === "ArrowUp" || event.key === "ArrowDown" ? "line" : (event.ctrlKey || event.altKey ? "word" : "character");
      selection.modify(event.shiftKey ? "extend" : "move", directions[event.key], unit);
      event.preventDefault();
      update();
    } else if (/^[1-9]$/.test(event.key)) {
      const box = form.querySelector('input[name=codes][data-key="' + event.key + '"]');
      if (box) {
        box.checked = !box.checked;
        event.preventDefault();
        update();
      }
    } else if (event.key === "Enter" && !apply.disabled) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  update();
})();
