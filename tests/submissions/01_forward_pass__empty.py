# %% [markdown]
# A deliberately broken submission for the grader's tests: nothing was written.

# %%
import numpy as np

# %%
print("I will do it tomorrow")
