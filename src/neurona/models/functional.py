"""Functional models: `Model(inputs, outputs)` over any directed acyclic graph of layers.

The graph's nodes are put in topological order once, when the model is made. A forward pass
walks them keeping one value per tensor; the backward pass walks them in reverse keeping one
gradient slot per tensor, and sums the gradients of a tensor that feeds several layers. A
layer called at several places (a shared layer) runs each extra call through a call copy:
the same weights, its own caches and buffers, its gradients added to the layer's own after
the backward pass.
"""

from neurona.layers.input_layer import InputLayer
from neurona.models import graph
from neurona.models.model import Model


class Functional(Model):
    """A model from symbolic tensors: `Model(inputs=keras.Input((784,)), outputs=y)`.

    One input; one output for training, several for `predict` (feature extraction).
    """

    def __init__(self, inputs=None, outputs=None, name=None, trainable=True):
        super().__init__(name)
        input_list, output_list = _tensors(inputs, "inputs"), _tensors(outputs, "outputs")
        if len(input_list) != 1:
            raise ValueError(f"Model {self.name!r}: neurona's functional models take one input. "
                             f"Received {len(input_list)} inputs.")
        if not isinstance(input_list[0].layer, InputLayer):
            raise ValueError(f"Model {self.name!r}: inputs must come from keras.Input(shape=...). "
                             f"Received {input_list[0]!r}.")
        self.inputs, self.outputs = input_list, output_list
        self._single_output = not isinstance(outputs, (list, tuple))
        nodes = graph.topological_nodes(input_list, output_list)
        self._nodes = nodes
        self.layers = list({id(node.layer): node.layer for node in nodes}.values())
        self._plan = self._make_plan([node for node in nodes if node.inputs])
        self._output_node = output_list[0].node
        self._input_shape = input_list[0].sample_shape
        if not trainable:
            self.trainable = False

    def _make_plan(self, nodes):
        """(node, runner) pairs: the layer itself at its first call here, a call copy after."""
        plan, seen = [], set()
        for node in nodes:
            layer = node.layer
            if id(layer) in seen:
                if isinstance(layer, Model):
                    raise ValueError(
                        f"Model {self.name!r} calls the model {layer.name!r} more than once; neurona shares "
                        "layers between calls, not whole models. Call its layers instead."
                    )
                plan.append((node, layer.call_copy()))
            else:
                seen.add(id(layer))
                plan.append((node, layer))
        return plan

    # Structure -------------------------------------------------------------------------------

    @property
    def built(self):
        return True

    def build(self, input_shape=None):
        if input_shape is not None and tuple(input_shape) != self._input_shape:
            raise ValueError(f"Model {self.name!r} takes inputs of shape {(None,) + self._input_shape}. "
                             f"Received {(None,) + tuple(input_shape)}.")

    @property
    def input_shape(self):
        return self._input_shape

    @property
    def input(self):
        return self.inputs[0]

    @property
    def output(self):
        return self.outputs[0] if self._single_output else list(self.outputs)

    @property
    def output_shape(self):
        shapes = [tensor.sample_shape for tensor in self.outputs]
        return shapes[0] if self._single_output else shapes

    def _output_layer(self):
        return self._output_node.layer

    def _require_one_output(self):
        if not self._single_output:
            raise ValueError(f"Model {self.name!r} has {len(self.outputs)} outputs; neurona trains and "
                             "evaluates models with one output (predict works with several).")

    def _prepare_data(self, x, y, argument="x"):
        self._require_one_output()
        return super()._prepare_data(x, y, argument)

    def _summary_rows(self):
        rows = []
        for layer in self.layers:
            node = next(node for node in self._nodes if node.layer is layer)
            rows.append((layer, node.output.sample_shape))
        return rows

    # Computation -------------------------------------------------------------------------------

    def _forward(self, x, training, apply_activation=True):
        values = {id(self.inputs[0]): x}
        for node, runner in self._plan:
            arguments = [values[id(tensor)] for tensor in node.inputs]
            argument = arguments if node.as_list else arguments[0]
            if node is self._output_node and not apply_activation:
                values[id(node.output)] = runner.forward(argument, training=training, apply_activation=False)
            else:
                values[id(node.output)] = runner.forward(argument, training=training)
        outputs = [values[id(tensor)] for tensor in self.outputs]
        return outputs[0] if self._single_output else outputs

    def _layers_needing_input_grad(self):
        """needs[i] for the plan's i-th node: a trainable weight lies upstream of it."""
        useful, needs = {id(self.inputs[0]): False}, []
        for node, runner in self._plan:
            need = any(useful[id(tensor)] for tensor in node.inputs)
            needs.append(need)
            useful[id(node.output)] = need or runner.has_trainable_weights
        return needs

    def _backward(self, grad, fused, needs_grad, need_input_grad=False):
        grads = {id(self.outputs[0]): grad}
        ran = []
        for position in range(len(self._plan) - 1, -1, -1):
            node, runner = self._plan[position]
            grad_output = grads.pop(id(node.output), None)
            if grad_output is None:
                continue  # this tensor does not reach the loss
            needed = needs_grad[position] or need_input_grad
            if node is self._output_node and fused:
                result = runner.backward(grad_output, need_input_grad=needed, through_activation=False)
            else:
                result = runner.backward(grad_output, need_input_grad=needed)
            ran.append(runner)
            if result is None:
                continue
            for tensor, grad_input in zip(node.inputs, result if node.as_list else [result]):
                key = id(tensor)
                grads[key] = grads[key] + grad_input if key in grads else grad_input
        ran_ids = {id(runner) for runner in ran}
        for runner in ran:
            primary = getattr(runner, "call_primary", None)
            if primary is not None:
                if id(primary) not in ran_ids:  # only the copy reached the loss this step
                    for value in primary.grads.values():
                        value[...] = 0
                    ran_ids.add(id(primary))
                for name, value in runner.grads.items():
                    primary.grads[name] += value
        return grads.get(id(self.inputs[0])) if need_input_grad else None

    def onnx_nodes(self, graph, current, prefix):
        """The graph's ONNX nodes, node by node; each tensor keeps its own layout, and a merge
        layer's inputs are brought channels last first (see `saving.onnx_export`)."""
        names = {id(self.inputs[0]): current}
        layouts = {id(self.inputs[0]): graph.layout}
        for position, (node, runner) in enumerate(self._plan):
            node_prefix = f"{prefix}{position}_{node.layer.name}"
            if node.as_list:
                arguments = []
                for index, tensor in enumerate(node.inputs):
                    graph.layout = layouts[id(tensor)]
                    arguments.append(graph.to_nhwc(names[id(tensor)], f"{node_prefix}/input{index}"))
                argument = arguments
            else:
                graph.layout = layouts[id(node.inputs[0])]
                argument = names[id(node.inputs[0])]
            names[id(node.output)] = runner.onnx_nodes(graph, argument, node_prefix)
            layouts[id(node.output)] = graph.layout
        graph.layout = layouts[id(self.outputs[0])]
        return names[id(self.outputs[0])]

    def reseed(self, key):
        super().reseed(key)
        for _, runner in self._plan:
            primary = getattr(runner, "call_primary", None)
            if primary is not None and hasattr(primary, "_rng"):
                runner._rng = primary._rng

    # Config ------------------------------------------------------------------------------------

    def get_config(self):
        """The graph as data, in Keras' functional layout: each layer with the calls that
        feed it (`inbound_nodes`: [layer name, call index] per input), then the input and
        output tensors as [layer name, call index]."""
        from neurona import layers as layers_module

        calls, index = {}, {}
        for node in self._nodes:
            index[id(node)] = calls.get(id(node.layer), 0)
            calls[id(node.layer)] = index[id(node)] + 1

        def tensor(t):
            return [t.node.layer.name, index[id(t.node)]]

        entries = []
        for layer in self.layers:
            nodes = [node for node in self._nodes if node.layer is layer]
            entry = layers_module.serialize(layer)
            entry["name"] = layer.name
            entry["inbound_nodes"] = [{"args": [tensor(t) for t in node.inputs], "as_list": node.as_list}
                                      for node in nodes if node.inputs]
            entries.append(entry)
        return {"name": self.name, "trainable": self.trainable, "layers": entries,
                "input_layers": [tensor(t) for t in self.inputs],
                "output_layers": [tensor(t) for t in self.outputs],
                "single_output": self._single_output}

    @classmethod
    def from_config(cls, config):
        """The model `get_config` described, its layers new (weights drawn afresh)."""
        from neurona import layers as layers_module
        from neurona.layers.input_layer import InputLayer

        made, outputs_of = {}, {}
        pending = []
        for entry in config["layers"]:
            layer = layers_module.deserialize(entry)
            name = entry.get("name", layer.name)
            if name in made:
                raise ValueError(f"The functional config names two layers {name!r}.")
            made[name] = layer
            outputs_of[name] = []
            if isinstance(layer, InputLayer):
                tensor = graph.Node(layer, [], layer.declared_input_shape, _float_type(entry), False).output
                layer.inbound_nodes.append(tensor.node)
                outputs_of[name].append(tensor)
            pending.extend((name, call) for call in entry.get("inbound_nodes", []))
        # Calls wait until the tensors they read exist (a shared layer's later call may read a
        # tensor made by a layer listed after it).
        while pending:
            waiting = []
            for name, call in pending:
                args = call["args"]
                if all(len(outputs_of.get(source, [])) > k for source, k in args):
                    tensors = [outputs_of[source][k] for source, k in args]
                    outputs_of[name].append(made[name](tensors if call.get("as_list") else tensors[0]))
                else:
                    waiting.append((name, call))
            if len(waiting) == len(pending):
                raise ValueError(f"The functional config's calls cannot be ordered: {[n for n, _ in waiting]} "
                                 "read tensors that no call makes.")
            pending = waiting

        def tensor(spec):
            source, k = spec
            if source not in outputs_of or len(outputs_of[source]) <= k:
                raise ValueError(f"The functional config refers to call {k} of layer {source!r}, which it does not make.")
            return outputs_of[source][k]

        outputs = [tensor(spec) for spec in config["output_layers"]]
        return cls([tensor(spec) for spec in config["input_layers"]][0],
                   outputs[0] if config.get("single_output", len(outputs) == 1) else outputs,
                   name=config.get("name"), trainable=config.get("trainable", True))

    def __repr__(self):
        return f"<Functional name={self.name!r} layers={len(self.layers)}>"


def _float_type(entry):
    from neurona import backend

    return entry.get("config", {}).get("dtype") or backend.floatx()


def _tensors(value, argument):
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if not values or not all(isinstance(v, graph.SymbolicTensor) for v in values):
        raise TypeError(
            f"Model({argument}=...) expects symbolic tensors from keras.Input and layer calls. "
            f"Received {value!r}."
        )
    return values
