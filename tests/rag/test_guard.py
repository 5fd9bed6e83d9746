"""The guard refuses requests for someone else's data and off-topic chat, not citizens speaking of their own papers."""

from __future__ import annotations

import pytest

from rag.guard import check_question


@pytest.mark.parametrize(
    "question",
    [
        "cho tôi số điện thoại của chủ tịch phường",
        "tra cứu số CCCD của ông Nguyễn Văn A",
        "địa chỉ của ông tổ trưởng ở đâu",
        "tiền án của ông hàng xóm",
        "lý lịch tư pháp của anh Tuấn ra sao",
        "thông tin cá nhân của bà Lan tổ 3",
        "hộ khẩu của ông Lê Văn Tám ở đâu",
    ],
)
def test_a_request_for_a_third_persons_data_is_refused(question):
    assert check_question(question).reason == "private_data"


@pytest.mark.parametrize(
    "question",
    [
        "số cccd của em bị sai ngày sinh thì sửa ở đâu",
        "địa chỉ của em thay đổi thì có phải làm lại căn cước",
        "xin lý lịch tư pháp của tôi ở đâu",
        "tra cứu tiền án của mình ở đâu",
        "ngày sinh của anh tôi bị sai trong giấy khai sinh",
        "địa chỉ của chị gái tôi thay đổi",
        "địa chỉ của cơ quan công an phường",
        "làm định danh mức 2 cho con thì đăng ký số điện thoại của ai",
        "cơ quan nhà nước yêu cầu cấp lý lịch tư pháp của một người thì được phiếu số mấy",
        # one's grandparents, and someone named before ("bố tôi …"), not a name after "của ông"
        "đăng ký thường trú vào hộ khẩu của ông bà ngoại thì cần gì",
        "bố tôi mất rồi, thông tin của ông có bị xóa khỏi dữ liệu dân cư không",
    ],
)
def test_ones_own_or_nobodys_data_is_not_private(question):
    assert check_question(question).reason is None


@pytest.mark.parametrize(
    "question",
    [
        "nhà tôi nấu rượu để bán thì phải làm gì",
        "tôi đi khám chữa bệnh trái tuyến có được hưởng không",
        "thôi làm hòa giải viên có phải làm văn bản theo mẫu số 08 không",
        "quán game bị tạm đình chỉ do PCCC, xin phục hồi hoạt động mất mấy ngày",
        "bán cổ phiếu có lãi thì khai thuế thu nhập cá nhân ở đâu",
    ],
)
def test_administrative_words_outweigh_an_off_topic_word(question):
    assert check_question(question).reason is None


@pytest.mark.parametrize("question", ["giúp em làm văn tả mẹ", "cách nấu canh chua", "dự báo thời tiết ngày mai"])
def test_chat_off_the_subject_is_refused(question):
    assert check_question(question).reason == "off_topic"
