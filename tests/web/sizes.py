"""The page at a desktop's and a phone's window size: a module's tests run at both with

    pytestmark = [requires_chromium, pytest.mark.usefixtures("window")]

and their screenshots are named after the size."""

import pytest

SIZES = {"desktop": (1280, 1000), "phone": (390, 844)}


@pytest.fixture(params=list(SIZES), ids=list(SIZES))
def window(request, page):
    page.driver.set_window_size(*SIZES[request.param])
    page.size_name = request.param
    return request.param
