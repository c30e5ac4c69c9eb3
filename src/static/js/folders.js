// The Scanner tab's folder tree: the first levels at once, deeper ones loaded when a folder
// is expanded; ticking folders sets the scan's scope (nothing ticked: the whole library).
// API strings only ever reach the page through textContent, never as HTML.

import { get } from "./api.js";
import { el, formatLinks, pathWithBreaks } from "./format.js";

const INITIAL_DEPTH = 2;

// ctx: showError(err), onMediaRoot(root) (optional).
// Returns {load, selectedPaths, mediaRoot}: mediaRoot() is the real media root as the tree's answer gives it.
export function initFolders(ctx) {
  const $ = (id) => document.getElementById(id);

  // Each node: {data, loaded, expanded, checkbox, li, childList, toggle, status, parent, children}
  const nodes = new Map(); // relative_path -> node
  let nodeCount = 0; // for unique checkbox ids
  let mediaRoot = null;

  function isCoveredByAncestor(node) {
    for (let p = node.parent; p; p = p.parent) {
      if (p.checkbox.checked) return true;
    }
    return false;
  }

  // One folder's node, without its children. `loaded`: whether data.subdirs is the full list
  // (the tree endpoint leaves subdirs empty on the deepest level it was asked for).
  function buildNode(data, parent, loaded) {
    const label = parent === null ? "Whole library" : data.name;
    const node = { data, parent, loaded, label, expanded: false, children: [] };
    nodes.set(data.relative_path, node);
    const checkboxId = `tree-cb-${++nodeCount}`;

    node.checkbox = el("input", {
      type: "checkbox", id: checkboxId, value: data.relative_path,
      onchange: () => { syncCoverage(node); updateSelectionSummary(); },
    });
    node.toggle = el("button", {
      type: "button", className: "tree-toggle",
      onclick: () => toggleNode(node),
    });
    const labelNode = el("label", { for: checkboxId, className: "tree-label" },
      el("span", { className: "tree-name", text: label }));
    const count = el("span", { className: "tree-count num", text: formatLinks(data.symlink_count) });
    const row = el("div", { className: "tree-row" }, node.toggle, node.checkbox, labelNode, count);
    if (data.error) {
      row.append(el("span", { className: "tree-error", text: data.error }));
    }
    node.childList = el("ul", { className: "tree-children" });
    node.li = el("li", { className: "tree-node", dataset: { path: data.relative_path } }, row, node.childList);
    node.status = el("span", { className: "tree-status muted small" });
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
    return child;
  }

  function hasChildren(node) {
    return !node.loaded || node.children.length > 0;
  }

  function updateToggle(node) {
    const expandable = !node.data.error && hasChildren(node);
    node.toggle.hidden = false;
    node.toggle.classList.toggle("tree-toggle-empty", !expandable);
    node.toggle.disabled = !expandable;
    node.childList.hidden = !node.expanded;
    if (expandable) {
      node.toggle.textContent = node.expanded ? "▾" : "▸";
      node.toggle.setAttribute("aria-label", `${node.expanded ? "Collapse" : "Expand"} ${node.label}`);
      node.toggle.setAttribute("aria-expanded", String(node.expanded));
      node.toggle.removeAttribute("aria-hidden");
      node.toggle.tabIndex = 0;
    } else {
      node.toggle.textContent = "";
      node.toggle.removeAttribute("aria-label");
      node.toggle.setAttribute("aria-hidden", "true");
      node.toggle.removeAttribute("aria-expanded");
      node.toggle.tabIndex = -1;
    }
  }

  async function toggleNode(node) {
    if (node.expanded) {
      node.expanded = false;
      updateToggle(node);
      return;
    }
    if (!node.loaded) {
      node.toggle.disabled = true;
      node.status.textContent = "loading…";
      try {
        const data = await get("/directories", { path: node.data.relative_path, depth: 1 });
        node.loaded = true;
        for (const sub of data.subdirs || []) addChild(node, sub, false);
        node.status.textContent = node.children.length ? "" : "no sub-folders";
      } catch (err) {
        node.status.textContent = "";
        node.toggle.disabled = false;
        ctx.showError(err);
        return;
      }
    }
    node.expanded = node.children.length > 0;
    updateToggle(node);
  }

  // A ticked folder covers its sub-folders: show them ticked and locked; unticking frees them.
  function syncCoverage(node) {
    const covered = node.checkbox.checked || isCoveredByAncestor(node);
    const walk = (n) => {
      for (const child of n.children) {
        child.checkbox.checked = covered;
        child.checkbox.disabled = covered;
        walk(child);
      }
    };
    walk(node);
  }

  // The ticked folders' paths; [] for the whole library.
  function selectedPaths() {
    const picked = [];
    for (const node of nodes.values()) {
      if (node.checkbox.checked && !node.checkbox.disabled) picked.push(node);
    }
    if (picked.some((n) => n.parent === null)) return []; // the whole library
    return picked.map((n) => n.data.relative_path);
  }

  function updateSelectionSummary() {
    const paths = selectedPaths();
    const summary = $("selection-summary");
    if (paths.length === 0) {
      summary.textContent = "Scope: the whole library";
    } else {
      summary.textContent = `Scope: ${paths.length} folder${paths.length === 1 ? "" : "s"}: ${paths.join(", ")}`;
    }
  }

  async function load() {
    const tree = $("tree");
    tree.setAttribute("aria-busy", "true");
    try {
      const data = await get("/directories", { depth: INITIAL_DEPTH });
      nodes.clear();
      const root = buildTreeLevels(data, null, 0, INITIAL_DEPTH);
      root.expanded = true;
      updateToggle(root);
      mediaRoot = data.media_root || data.path || null;
      $("tree-root").replaceChildren(pathWithBreaks(mediaRoot || ""));
      if (ctx.onMediaRoot) ctx.onMediaRoot(mediaRoot);
      tree.replaceChildren(el("ul", { className: "tree-top" }, root.li));
      updateSelectionSummary();
    } catch (err) {
      tree.replaceChildren(el("p", { className: "error-text", text: `Could not list the folders: ${err.message}` }));
      ctx.showError(err);
    } finally {
      tree.setAttribute("aria-busy", "false");
    }
  }

  // Levels 0 .. depth-1 of an answer carry their sub-folders; the deepest level comes empty.
  function buildTreeLevels(data, parent, level, depth) {
    const loaded = level < depth;
    const node = parent === null ? buildNode(data, null, loaded) : addChild(parent, data, loaded);
    if (loaded) {
      for (const sub of data.subdirs || []) buildTreeLevels(sub, node, level + 1, depth);
    }
    updateToggle(node);
    return node;
  }

  $("tree-reload").addEventListener("click", load);

  return { load, selectedPaths, mediaRoot: () => mediaRoot };
}
