def test_city_builds(city):
    assert city.approver.full_name == "高橋 健"
