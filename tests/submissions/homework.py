# %% [markdown]
# A deliberately broken submission for the grader's tests: not an exercise of the course at all.

# %%
import numpy as np

# %%
def hello():
    return "world"
