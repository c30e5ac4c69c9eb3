// The Scanner tab's folder tree: the first levels at once, deeper ones loaded when a folder
// is expanded; ticking folders sets the scan's scope (nothing ticked: the whole library). A folder
// with some of its sub-folders ticked shows a partial (indeterminate, aria-checked "mixed") box.
// The keyboard follows the WAI-ARIA tree pattern: the whole tree is one tab stop (the current
// row has tabindex 0, every other row and every control in a row -1); the arrows, Home and End
// move between the visible rows and fold them, Space ticks the row, Enter folds or unfolds it.
// API strings only ever reach the page through textContent, never as HTML.
// A big library is counted in two asks: what the server counts in half a second (counts not
// finished then come "partial" and read "at least N links, counting…"), then the full counts.

import { get } from "./api.js";
import { el, formatLinks, pathWithBreaks } from "./format.js";

const INITIAL_DEPTH = 2;

// ctx: showError(err), onMediaRoot(root) (optional).
// Returns {load, selectedPaths, mediaRoot}: mediaRoot() is the real media root as the tree's answer gives it.
export function initFolders(ctx) {
  const $ = (id) => document.getElementById(id);

  // Each node: {data, loaded, expanded, loading, level, checkbox, li, childList, toggle, status, parent, children}
  const nodes = new Map(); // relative_path -> node
  // A folder with more sub-folders than one answer lists ends its list with a "show more" row:
  // {li, parent, isMore: true}, a row of the tree like the others (it takes the tab stop and the keys).
  const moreRows = new Map(); // li -> its row
  let nodeCount = 0; // for unique checkbox ids
  let mediaRoot = null;
  let root = null;
  let current = null; // the row that holds the tree's one tab stop

  function isCoveredByAncestor(node) {
    for (let p = node.parent; p; p = p.parent) {
      if (p.checkbox.checked) return true;
    }
    return false;
  }

  // "6 links", or "at least 612,000 links, counting…" while the full count is on its way.
  function countText(data) {
    return data.partial ? `at least ${formatLinks(data.symlink_count)}, counting…` : formatLinks(data.symlink_count);
  }

  // One folder's node, without its children. `loaded`: whether data.subdirs is the full list
  // (the tree endpoint leaves subdirs empty on the deepest level it was asked for).
  function buildNode(data, parent, loaded) {
    const label = parent === null ? "Whole library" : data.name;
    const level = parent === null ? 1 : parent.level + 1;
    const node = { data, parent, loaded, label, level, expanded: false, loading: false, children: [] };
    nodes.set(data.relative_path, node);
    const checkboxId = `tree-cb-${++nodeCount}`;

    // The row (role treeitem) carries the state for assistive technology; its checkbox and
    // toggle stay for the mouse, out of the tab order and hidden from the accessibility tree.
    node.checkbox = el("input", {
      type: "checkbox", id: checkboxId, value: data.relative_path, tabindex: "-1", "aria-hidden": "true",
      onchange: () => selectionChanged(node),
    });
    node.toggle = el("button", {
      type: "button", className: "tree-toggle", tabindex: "-1", "aria-hidden": "true",
      onclick: () => toggleNode(node),
    });
    const labelNode = el("label", { for: checkboxId, className: "tree-label" },
      el("span", { className: "tree-name", id: `${checkboxId}-name`, text: label }));
    node.count = el("span", { className: "tree-count num", id: `${checkboxId}-count`, text: countText(data) });
    // (The space between name and count: their text reads "Films 6 links", as the row's accessible name.)
    const row = el("div", { className: "tree-row" }, node.toggle, node.checkbox, labelNode, " ", node.count);
    if (data.error) {
      row.append(el("span", { className: "tree-error", text: data.error }));
    }
    node.childList = el("ul", { className: "tree-children", role: "group" });
    node.li = el("li", {
      // Named from its row's text ("Films 6 links"; the nested group is not part of a treeitem's name),
      // not aria-labelledby: a label that leaves out the row's visible text fails WCAG 2.5.3 (label in name).
      className: "tree-node", role: "treeitem", tabindex: "-1", "aria-level": level, "aria-checked": "false",
      dataset: { path: data.relative_path },
    }, row, node.childList);
    node.status = el("span", { className: "tree-status muted small" });
    node.moreRow = null;
    row.append(node.status);
    updateToggle(node);
    return node;
  }

  function addChild(node, data, loaded) {
    const child = buildNode(data, node, loaded);
    node.children.push(child);
    node.childList.append(child.li);
    if (node.checkbox.checked || isCoveredByAncestor(node)) {
      child.checkbox.checked = true;
      child.checkbox.disabled = true;
    }
    showChecked(child);
    return child;
  }

  // Not loaded yet: the answer's has_subdirs says whether unfolding can show anything.
  function hasChildren(node) {
    return node.loaded ? node.children.length > 0 : node.data.has_subdirs !== false;
  }

  function isExpandable(node) {
    return !node.data.error && hasChildren(node);
  }

  function updateToggle(node) {
    const expandable = isExpandable(node);
    node.toggle.hidden = false;
    node.toggle.classList.toggle("tree-toggle-empty", !expandable);
    node.toggle.disabled = !expandable || node.loading;
    node.childList.hidden = !node.expanded;
    node.toggle.textContent = expandable ? (node.expanded ? "▾" : "▸") : "";
    if (expandable) node.li.setAttribute("aria-expanded", String(node.expanded));
    else node.li.removeAttribute("aria-expanded");
  }

  async function toggleNode(node) {
    if (node.expanded) {
      node.expanded = false;
      updateToggle(node);
      if (current && isInside(current, node)) setCurrent(node, { focus: treeHasFocus() });
      return;
    }
    if (node.loading || !isExpandable(node)) return;
    if (!node.loaded) {
      node.loading = true;
      node.li.setAttribute("aria-busy", "true");
      node.status.textContent = "loading…";
      updateToggle(node);
      try {
        const data = await get("/directories", { path: askedPath(node), depth: 1 });
        node.loaded = true;
        for (const sub of data.subdirs || []) addChild(node, sub, false);
        showMore(node, data);
        node.status.textContent = node.children.length ? "" : "no sub-folders";
        if (data.partial) fillCounts(node);
      } catch (err) {
        node.status.textContent = "";
        ctx.showError(err);
        return;
      } finally {
        node.loading = false;
        node.li.removeAttribute("aria-busy");
        updateToggle(node);
      }
    }
    node.expanded = node.children.length > 0;
    updateToggle(node);
  }

  // The path a folder is asked for by (the whole library: none).
  function askedPath(node) {
    return node.parent === null ? undefined : node.data.relative_path;
  }

  // A folder with more sub-folders than the server lists at once ends its list with a row that
  // lists the next ones (those not listed are counted, and scanned with their parent, all the same).
  function showMore(node, data) {
    const more = data.more_subdirs || 0;
    if (!more) {
      if (node.moreRow) {
        moreRows.delete(node.moreRow.li);
        node.moreRow.li.remove();
        node.moreRow = null;
      }
      return;
    }
    if (!node.moreRow) {
      const li = el("li", {
        className: "tree-more-item", role: "treeitem", tabindex: "-1", "aria-level": node.level + 1,
        onclick: () => loadMore(node),
      });
      node.moreRow = { li, parent: node, isMore: true, loading: false };
      moreRows.set(li, node.moreRow);
    }
    node.moreRow.li.textContent = `Show ${more.toLocaleString()} more sub-folder${more === 1 ? "" : "s"}`;
    node.childList.append(node.moreRow.li); // stays the last row of the folder
  }

  // The next sub-folders of a folder, after those listed; the keyboard goes on from the first of them.
  async function loadMore(node) {
    const row = node.moreRow;
    if (!row || row.loading) return;
    row.loading = true;
    row.li.setAttribute("aria-busy", "true");
    const offset = node.children.length;
    try {
      const data = await get("/directories", { path: askedPath(node), depth: 1, offset });
      for (const sub of data.subdirs || []) {
        if (!nodes.has(sub.relative_path)) addChild(node, sub, false);
      }
      // Before the row may go (nothing more to list): the focus on it would be lost with it.
      if (current === row) setCurrent(node.children[offset] || node, { focus: treeHasFocus() });
      showMore(node, data);
      if (data.partial) fillCounts(node, offset);
    } catch (err) {
      ctx.showError(err);
    } finally {
      row.loading = false;
      row.li.removeAttribute("aria-busy");
    }
  }

  // The full counts of a folder and its listed sub-folders (from `offset` on), once the server has them all.
  async function fillCounts(node, offset = 0) {
    let data;
    try {
      data = await get("/directories", { path: askedPath(node), depth: 1, full: 1, offset });
    } catch (err) {
      ctx.showError(err);
      return;
    }
    for (const fresh of [data, ...(data.subdirs || [])]) {
      const shown = nodes.get(fresh.relative_path);
      if (!shown || !shown.data.partial) continue;
      Object.assign(shown.data, { symlink_count: fresh.symlink_count, partial: fresh.partial });
      shown.count.textContent = countText(shown.data);
    }
  }

  // --- the tree's one tab stop and its keys ------------------------------------------

  function isInside(node, ancestor) {
    for (let n = node.parent; n; n = n.parent) {
      if (n === ancestor) return true;
    }
    return false;
  }

  function treeHasFocus() {
    return $("tree").contains(document.activeElement);
  }

  function setCurrent(node, { focus = false } = {}) {
    if (current && current !== node) current.li.tabIndex = -1;
    current = node;
    node.li.tabIndex = 0;
    if (focus) node.li.focus();
  }

  // The rows a user sees, top to bottom: the children of folded folders are left out.
  function visibleNodes() {
    const rows = [];
    const walk = (node) => {
      rows.push(node);
      if (!node.expanded) return;
      node.children.forEach(walk);
      if (node.moreRow) rows.push(node.moreRow);
    };
    if (root) walk(root);
    return rows;
  }

  // The row (a folder's node, or a "show more" row) an element of the tree belongs to.
  function nodeOf(element) {
    const li = element && element.closest ? element.closest("li.tree-node, li.tree-more-item") : null;
    if (!li) return null;
    return li.classList.contains("tree-more-item") ? moreRows.get(li) || null : nodes.get(li.dataset.path) || null;
  }

  function onKeydown(event) {
    const node = nodeOf(event.target);
    if (!node || event.altKey || event.ctrlKey || event.metaKey) return;
    const rows = visibleNodes();
    const index = rows.indexOf(node);
    const moveTo = (target) => { if (target) setCurrent(target, { focus: true }); };
    switch (event.key) {
      case "ArrowDown": moveTo(rows[index + 1]); break;
      case "ArrowUp": moveTo(rows[index - 1]); break;
      case "Home": moveTo(rows[0]); break;
      case "End": moveTo(rows[rows.length - 1]); break;
      default:
        if (node.isMore) {
          if (event.key === "ArrowLeft") moveTo(node.parent);
          else if (event.key === "Enter" || event.key === " ") loadMore(node.parent);
          else return;
        } else if (!folderKey(node, event.key, moveTo)) {
          return;
        }
    }
    event.preventDefault();
  }

  // The keys that fold, unfold and tick a folder's row; false for any other key.
  function folderKey(node, key, moveTo) {
    switch (key) {
      case "ArrowRight":
        if (node.expanded) moveTo(node.children[0]);
        else toggleNode(node);
        break;
      case "ArrowLeft":
        if (node.expanded) toggleNode(node);
        else moveTo(node.parent);
        break;
      case "Enter": toggleNode(node); break;
      case " ": toggleSelection(node); break;
      default: return false;
    }
    return true;
  }

  // A click on a row's checkbox, toggle or name makes that row the tree's tab stop; the focus
  // goes to the row itself, so that the arrows go on from there.
  function onFocusin(event) {
    const node = nodeOf(event.target);
    if (!node) return;
    setCurrent(node);
    if (event.target !== node.li) node.li.focus({ preventScroll: true });
  }

  // --- the selection -------------------------------------------------------------------

  function toggleSelection(node) {
    if (node.checkbox.disabled) return; // covered by a ticked parent folder
    node.checkbox.checked = !node.checkbox.checked;
    selectionChanged(node);
  }

  function selectionChanged(node) {
    syncCoverage(node);
    for (let n = node; n; n = n.parent) {
      n.checkbox.indeterminate = !n.checkbox.checked && hasTickedBelow(n);
      showChecked(n);
    }
    updateSelectionSummary();
  }

  // Whether a sub-folder (loaded so far) is ticked on its own.
  function hasTickedBelow(node) {
    return node.children.some((child) => (child.checkbox.checked && !child.checkbox.disabled) || hasTickedBelow(child));
  }

  function showChecked(node) {
    node.li.setAttribute("aria-checked", node.checkbox.indeterminate ? "mixed" : String(node.checkbox.checked));
    if (node.checkbox.disabled) node.li.setAttribute("aria-disabled", "true");
    else node.li.removeAttribute("aria-disabled");
  }

  // A ticked folder covers its sub-folders: show them ticked and locked; unticking frees them.
  function syncCoverage(node) {
    const covered = node.checkbox.checked || isCoveredByAncestor(node);
    const walk = (n) => {
      for (const child of n.children) {
        child.checkbox.checked = covered;
        child.checkbox.disabled = covered;
        child.checkbox.indeterminate = false;
        showChecked(child);
        walk(child);
      }
    };
    walk(node);
  }

  // The ticked folders (none of them inside another); [] for the whole library.
  function selectedNodes() {
    const picked = [];
    for (const node of nodes.values()) {
      if (node.checkbox.checked && !node.checkbox.disabled) picked.push(node);
    }
    return picked.some((n) => n.parent === null) ? [] : picked;
  }

  function selectedPaths() {
    return selectedNodes().map((n) => n.data.relative_path);
  }

  // "Scope: 3 folders, 1,234 links: A, B, C"; past SCOPE_NAMED folders the others are counted, not named
  // (three hundred ticked folders would push the Start button off the screen).
  const SCOPE_NAMED = 5;
  function updateSelectionSummary() {
    const picked = selectedNodes();
    const summary = $("selection-summary");
    if (picked.length === 0) {
      summary.textContent = "Scope: the whole library";
      return;
    }
    const links = picked.reduce((sum, n) => sum + (n.data.symlink_count || 0), 0);
    const partial = picked.some((n) => n.data.partial);
    const named = picked.slice(0, SCOPE_NAMED).map((n) => n.data.relative_path).join(", ");
    const others = picked.length - SCOPE_NAMED;
    summary.textContent = `Scope: ${picked.length.toLocaleString()} folder${picked.length === 1 ? "" : "s"}, `
      + `${partial ? "at least " : ""}${formatLinks(links)}: ${named}${others > 0 ? ` and ${others.toLocaleString()} more` : ""}`;
  }

  async function load() {
    const tree = $("tree");
    tree.setAttribute("aria-busy", "true");
    try {
      const data = await get("/directories", { depth: INITIAL_DEPTH });
      nodes.clear();
      moreRows.clear();
      root = buildTreeLevels(data, null, 0, INITIAL_DEPTH);
      root.expanded = true;
      updateToggle(root);
      current = null;
      setCurrent(root);
      mediaRoot = data.media_root || data.path || null;
      $("tree-root").replaceChildren(pathWithBreaks(mediaRoot || ""));
      if (ctx.onMediaRoot) ctx.onMediaRoot(mediaRoot);
      tree.replaceChildren(el("ul", {
        className: "tree-top", role: "tree", "aria-labelledby": "tree-heading", "aria-multiselectable": "true",
      }, root.li));
      updateSelectionSummary();
      if (data.partial) fillCounts(root);
    } catch (err) {
      tree.replaceChildren(el("p", { className: "error-text", text: `Could not list the folders: ${err.message}` }));
      ctx.showError(err);
    } finally {
      tree.setAttribute("aria-busy", "false");
    }
  }

  // Levels 0 .. depth-1 of an answer carry their sub-folders; the deepest level comes empty, and
  // so does a folder the server could not list in its time (partial, has_subdirs, no subdirs).
  function buildTreeLevels(data, parent, level, depth) {
    const unlisted = data.partial && data.has_subdirs && !(data.subdirs || []).length;
    const loaded = level < depth && !unlisted;
    const node = parent === null ? buildNode(data, null, loaded) : addChild(parent, data, loaded);
    if (loaded) {
      for (const sub of data.subdirs || []) buildTreeLevels(sub, node, level + 1, depth);
      showMore(node, data);
    }
    updateToggle(node);
    return node;
  }

  $("tree-reload").addEventListener("click", load);
  $("tree").addEventListener("keydown", onKeydown);
  $("tree").addEventListener("focusin", onFocusin);

  return { load, selectedPaths, mediaRoot: () => mediaRoot };
}
