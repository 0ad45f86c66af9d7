import infrar.storage as st


def f():
  if st.exists("b", "k"):
    st.delete("b", "k")
