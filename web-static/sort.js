/*
 * sort.js - sortable and filterable tables for the dmarcsift dashboard.
 * Our own, no dependencies; loaded with script-src 'self'. Pages work
 * without it: it only adds buttons to <table class="sortable"> headers
 * and a filter box before <table data-filter>. A cell's data-v
 * attribute, when present, is its sort key (numbers sort as numbers).
 * Never uses innerHTML, eval or inline handlers.
 * SPDX-License-Identifier: MIT
 */
(function () {
	"use strict";

	function key(row, col) {
		var c = row.cells[col];
		var v;

		if (!c)
			return "";
		v = c.getAttribute("data-v");
		if (v === null)
			v = c.textContent.trim();
		return v;
	}

	function compare(a, b) {
		var x = parseFloat(a), y = parseFloat(b);

		if (!isNaN(x) && !isNaN(y) && isFinite(a) && isFinite(b))
			return x - y;
		return a.localeCompare(b, undefined, { numeric: true });
	}

	function sortBy(table, th, col) {
		var body = table.tBodies[0];
		var rows = Array.prototype.slice.call(body.rows);
		var asc = th.getAttribute("aria-sort") !== "ascending";
		var heads = table.tHead.rows[0].cells;
		var i;

		for (i = 0; i < heads.length; i++)
			heads[i].removeAttribute("aria-sort");
		th.setAttribute("aria-sort", asc ? "ascending" : "descending");
		rows = rows.map(function (r, n) {
			return { r: r, k: key(r, col), n: n };
		});
		rows.sort(function (a, b) {
			var d = compare(a.k, b.k);
			return (asc ? d : -d) || a.n - b.n;
		});
		rows.forEach(function (o) { body.appendChild(o.r); });
	}

	function makeSortable(table) {
		var heads, i;

		if (!table.tHead || !table.tBodies.length)
			return;
		heads = table.tHead.rows[0].cells;
		for (i = 0; i < heads.length; i++) {
			(function (th, col) {
				var b = document.createElement("button");

				b.type = "button";
				b.className = "sort";
				while (th.firstChild)
					b.appendChild(th.firstChild);
				th.appendChild(b);
				b.addEventListener("click", function () {
					sortBy(table, th, col);
				});
			})(heads[i], i);
		}
	}

	function makeFilter(table) {
		var input = document.createElement("input");
		var wrap = table.parentNode;

		input.type = "search";
		input.className = "filter";
		input.placeholder = "filter rows\u2026";
		input.setAttribute("aria-label", "filter rows");
		wrap.parentNode.insertBefore(input, wrap);
		input.addEventListener("input", function () {
			var q = input.value.toLowerCase();
			var rows = table.tBodies[0].rows;
			var i;

			for (i = 0; i < rows.length; i++)
				rows[i].hidden = q !== "" &&
				    rows[i].textContent.toLowerCase().indexOf(q) < 0;
		});
	}

	function init() {
		var t = document.querySelectorAll("table.sortable");
		var f = document.querySelectorAll("table[data-filter]");
		var i;

		for (i = 0; i < t.length; i++)
			makeSortable(t[i]);
		for (i = 0; i < f.length; i++)
			makeFilter(f[i]);
		document.documentElement.setAttribute("data-js", "1");
	}

	if (document.readyState === "loading")
		document.addEventListener("DOMContentLoaded", init);
	else
		init();
})();
