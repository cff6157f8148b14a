# Generates custom_module.pt: a whole module pickled with torch.save(model)
# whose classes are custom (defined here, so the file names __main__.*),
# with a ModuleList and a Sequential of numbered children, parameters and
# buffers registered after child modules, a non-persistent buffer, and
# plain attributes holding tensors and an unregistered module.
# custom_module.pt.keys.json records torch's state_dict() order (a module's
# own _parameters, then its persistent _buffers, then each child in
# _modules order, recursively) and named_modules(). Run once from this
# folder with Debian's /usr/bin/python3; outputs are committed so tests
# never need python or torch.
import json
import torch, torch.nn as nn

torch.manual_seed(0)


class Gate(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(2, 2)
        self.scale = nn.Parameter(torch.ones(2))  # own param after a child
        self.register_buffer("mask", torch.ones(2))
        self.register_buffer("tmp", torch.zeros(1), persistent=False)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.blocks = nn.ModuleList([Gate(), nn.Sequential(nn.Linear(2, 2), nn.ReLU())])
        self.gate = Gate()
        self.bias = nn.Parameter(torch.zeros(2))  # root param after children
        self.register_buffer("steps", torch.zeros(1))
        # Plain attributes: pickled with the module but not in state_dict.
        self.extra = {"ema": torch.zeros(3), "hist": (torch.zeros(2), torch.zeros(1))}
        self.heads = [nn.Linear(2, 1)]


net = Net()
torch.save(net, "custom_module.pt")
with open("custom_module.pt.keys.json", "w") as f:
    json.dump({"state_dict_keys": list(net.state_dict().keys()),
               "modules": [{"path": n, "type": type(m).__name__} for n, m in net.named_modules()]},
              f, indent=1)
