"""Files the app uploads (files.getUploadURLExternal, upload, files.completeUploadExternal) show in the page."""

from __future__ import annotations

from playwright.sync_api import expect

from sandbox.people import PMO_CHANNEL

MAYA = "U0MAYA0001"


def test_uploaded_files_show_as_an_image_or_a_download(browser, sandbox):
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot
    from slack_sdk import WebClient

    from sandbox import people

    figure, axes = pyplot.subplots(figsize=(3, 2))
    axes.bar(["a", "b"], [1, 2])
    png = io.BytesIO()
    figure.savefig(png, format="png")
    pyplot.close(figure)
    web = WebClient(token=people.BOT_TOKEN, base_url=sandbox.url + "api/")
    web.files_upload_v2(channel=PMO_CHANNEL, filename="chart.png", content=png.getvalue(), title="The chart")
    web.files_upload_v2(channel=PMO_CHANNEL, filename="ideas.csv", content=b"id,title\n1,<b>x</b>\n", title="Ideas")
    page = browser.new_page()
    page.goto(f"{sandbox.url}?as={MAYA}&c={PMO_CHANNEL}")
    chart = page.get_by_role("img", name="The chart")
    expect(chart).to_be_visible()
    assert page.evaluate("(img) => img.naturalWidth", chart.element_handle()) > 0
    download = page.get_by_role("link", name="Download Ideas")
    with page.expect_download() as downloading:
        download.click()
    assert downloading.value.suggested_filename == "ideas.csv"
    page.close()
