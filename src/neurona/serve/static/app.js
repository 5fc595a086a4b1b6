// The draw-a-digit page: a canvas for Pointer Events (mouse, pen, touch), a file drop or
// picker, and the model's answer: the 28x28 image it saw, its saliency, and a bar per class.
// White strokes on black, as MNIST digits are (the server's normaliser also inverts
// dark-on-light photos, by the colour of their border).
"use strict";

const pad = document.getElementById("pad");
const context = pad.getContext("2d");
const bars = document.getElementById("bars");
const prediction = document.getElementById("prediction");
const confidence = document.getElementById("confidence");
const announcement = document.getElementById("announcement");
const errorLine = document.getElementById("error");
const fileInput = document.getElementById("file");
const drop = document.getElementById("drop");
let classNames = [];
let drawing = null; // the pointer id of the stroke in progress
let inked = false;

function clearPad() {
  context.fillStyle = "#000";
  context.fillRect(0, 0, pad.width, pad.height);
  inked = false;
}

function point(event) {
  const box = pad.getBoundingClientRect();
  return [(event.clientX - box.left) * pad.width / box.width, (event.clientY - box.top) * pad.height / box.height];
}

pad.addEventListener("pointerdown", (event) => {
  if (drawing !== null) return;
  drawing = event.pointerId;
  pad.setPointerCapture(event.pointerId);
  const [x, y] = point(event);
  context.beginPath();
  context.moveTo(x, y);
  context.lineTo(x + 0.01, y);
  context.stroke();
  inked = true;
  event.preventDefault();
});

pad.addEventListener("pointermove", (event) => {
  if (event.pointerId !== drawing) return;
  const [x, y] = point(event);
  context.lineTo(x, y);
  context.stroke();
});

function endStroke(event) {
  if (event.pointerId !== drawing) return;
  drawing = null;
  if (inked) pad.toBlob((blob) => send(blob, "image/png"), "image/png");
}
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);

document.getElementById("clear").addEventListener("click", () => {
  clearPad();
  showEmpty();
});

fileInput.addEventListener("change", () => {
  if (fileInput.files.length) sendFile(fileInput.files[0]);
});
drop.addEventListener("dragover", (event) => {
  event.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (event) => {
  event.preventDefault();
  drop.classList.remove("over");
  if (event.dataTransfer.files.length) sendFile(event.dataTransfer.files[0]);
});

function sendFile(file) {
  const form = new FormData();
  form.append("image", file);
  send(form, null);
}

async function send(body, contentType) {
  document.body.dataset.state = "busy";
  errorLine.textContent = "";
  try {
    const headers = contentType ? { "Content-Type": contentType } : {};
    const response = await fetch("/api/predict?saliency=1", { method: "POST", headers, body });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || `The server answered ${response.status}.`);
    show(answer);
  } catch (error) {
    errorLine.textContent = error.message;
  } finally {
    document.body.dataset.state = "done";
  }
}

function show(answer) {
  const result = answer.predictions[0];
  prediction.textContent = result.label;
  announcement.textContent = result.label;
  confidence.textContent = `${(result.probabilities[result.class_index] * 100).toFixed(1)}%`;
  result.probabilities.forEach((value, index) => {
    const row = bars.children[index];
    row.classList.toggle("top", index === result.class_index);
    row.querySelector(".fill").style.width = `${(value * 100).toFixed(1)}%`;
    row.querySelector(".value").textContent = `${(value * 100).toFixed(1)}%`;
  });
  drawImage(document.getElementById("seen"), answer.image, null);
  drawImage(document.getElementById("saliency"), answer.image, answer.saliency || null);
}

function showEmpty() {
  prediction.textContent = "";
  announcement.textContent = "";
  confidence.textContent = "";
  errorLine.textContent = "";
  for (const row of bars.children) {
    row.classList.remove("top");
    row.querySelector(".fill").style.width = "0";
    row.querySelector(".value").textContent = "";
  }
  for (const id of ["seen", "saliency"]) {
    const canvas = document.getElementById(id);
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  }
}

// The model's input in gray; with a saliency map, the digit dimmed and the map in red-yellow over it.
function drawImage(canvas, image, saliency) {
  const rows = image.length;
  const cols = image[0].length;
  canvas.width = cols;
  canvas.height = rows;
  const target = canvas.getContext("2d");
  const pixels = target.createImageData(cols, rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const value = image[r][c];
      const gray = Array.isArray(value) ? value : [value, value, value];
      const offset = (r * cols + c) * 4;
      if (saliency) {
        const heat = saliency[r][c];
        const base = (gray[0] + gray[1] + gray[2]) / 3 * 0.45;
        pixels.data[offset] = base + (255 - base) * heat;
        pixels.data[offset + 1] = base + (200 * heat * heat - base * heat);
        pixels.data[offset + 2] = base * (1 - heat);
      } else {
        pixels.data[offset] = gray[0];
        pixels.data[offset + 1] = gray[1];
        pixels.data[offset + 2] = gray[2];
      }
      pixels.data[offset + 3] = 255;
    }
  }
  target.putImageData(pixels, 0, 0);
}

async function start() {
  context.strokeStyle = "#fff";
  context.lineWidth = 20;
  context.lineCap = "round";
  context.lineJoin = "round";
  clearPad();
  try {
    const response = await fetch("/api/model");
    const model = await response.json();
    if (!response.ok) throw new Error(model.error);
    classNames = model.class_names;
    document.getElementById("model-name").textContent = model.name;
    const accuracy = model.metrics && typeof model.metrics.test_accuracy === "number"
      ? `, test accuracy ${(model.metrics.test_accuracy * 100).toFixed(2)}%` : "";
    document.getElementById("model-details").textContent =
      `${classNames.length} classes${model.dataset ? ` of ${model.dataset}` : ""}${accuracy}; ` +
      `sha256 ${model.sha256.slice(0, 12)}…`;
    bars.replaceChildren(...classNames.map((name) => {
      const row = document.createElement("li");
      const label = document.createElement("span");
      label.className = "name";
      label.textContent = name;
      const track = document.createElement("span");
      track.className = "track";
      const fill = document.createElement("span");
      fill.className = "fill";
      track.append(fill);
      const value = document.createElement("span");
      value.className = "value";
      row.append(label, track, value);
      return row;
    }));
    document.body.dataset.ready = "true";
  } catch (error) {
    errorLine.textContent = `The model's description could not be read: ${error.message}`;
  }
}

start();
